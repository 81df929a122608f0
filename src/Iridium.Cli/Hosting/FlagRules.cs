using System.Numerics;
using Iridium.Cli.Configuration;
using Iridium.Cluster;

namespace Iridium.Cli.Hosting;

/// <summary>Checks of flag values the parser cannot make (ranges, HOST:PORT): each failure is a usage error naming the flag.</summary>
internal static class FlagRules
{
    /// <summary>Whole-number flags of every command are held to the ranges of the node setting of the same name.</summary>
    public static void Range<T>(WholeSetting<T> setting, T? value) where T : struct, IBinaryInteger<T>
    {
        if (value is not { } number) return;
        long whole = long.CreateSaturating(number);
        if (whole < setting.Min || whole > setting.Max) throw CommandFailure.Usage($"{setting.Flag} must be {setting.Expected}, not {whole}");
    }

    public static (string Host, int Port) Address(string? text, string what)
    {
        if (text is null) throw CommandFailure.Usage($"missing {what} (HOST:PORT)");
        if (!HostPort.TryParse(text, out string host, out int port)) throw CommandFailure.Usage($"'{text}' is not HOST:PORT ({what})");
        return (host, port);
    }
}
