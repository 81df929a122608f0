using Iridium.Cli.Configuration;
using Iridium.Cluster;

namespace Iridium.Cli.Hosting;

/// <summary>Checks of flag values the parser cannot make (ranges, HOST:PORT): each failure is a usage error naming the flag.</summary>
internal static class FlagRules
{
    /// <summary>Whole-number flags are held to the ranges of the config keys of the same name.</summary>
    public static void Range(string key, long? value) => NodeSettingsKeys.CheckFlag(key, value);

    public static (string Host, int Port) Address(string? text, string what)
    {
        if (text is null) throw CommandFailure.Usage($"missing {what} (HOST:PORT)");
        if (!HostPort.TryParse(text, out string host, out int port)) throw CommandFailure.Usage($"'{text}' is not HOST:PORT ({what})");
        return (host, port);
    }
}
