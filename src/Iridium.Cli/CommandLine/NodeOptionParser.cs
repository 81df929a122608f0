using System.Text;
using Iridium.Cli.Configuration;

namespace Iridium.Cli.CommandLine;

/// <summary>
/// The command line of `iridium node`, parsed from <see cref="NodeSettingsSchema"/>.
/// ConsoleAppFramework, which parses the other commands, generates its parser at compile time
/// from a method's parameters: an option exists only as a parameter, so a schema cannot add
/// options to it, and 25 parameters restated the schema. `node` is therefore handed its
/// arguments before that parser sees them (<see cref="CommandLineApp"/>) and parsed here, with
/// the same conventions: long flags in any case, a short form for some, a switch takes no value,
/// the last of a repeated flag wins (<c>--join</c> adds up), usage errors exit 2 with a pointer
/// to the help, and <c>-h</c>/<c>--help</c> prints the help built from the same schema.
/// </summary>
internal static class NodeOptionParser
{
    /// <summary>The settings the flags give, or null after `--help` was asked for; <see cref="CommandFailure"/> (usage) for anything else.</summary>
    public static NodeSettings? Parse(IReadOnlyList<string> args)
    {
        var settings = NodeSettings.Empty;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help") return null;
            var setting = NodeSettingsSchema.ByFlag(arg);
            if (setting is null)
            {
                if (arg.StartsWith('-') && arg.Length > 1) throw UnknownOption.Failure(arg, FlagNames);
                throw CommandFailure.Usage($"node takes no arguments, only options: '{arg}'");
            }
            string text = "";
            if (setting.ValueName is not null)
            {
                if (i + 1 >= args.Count) throw CommandFailure.Usage($"{setting.Flag} needs a value ({setting.Expected})");
                text = args[++i];
            }
            object value = setting.FromFlag(text, out string? problem) ?? throw CommandFailure.Usage(problem!);
            settings = settings.Set(setting, settings.Raw(setting) is { } earlier ? setting.Combine(earlier, value) : value);
        }
        return settings;
    }

    /// <summary>`iridium node --help`, in the layout of the other commands' help.</summary>
    public static string Help(string summary)
    {
        var flags = NodeSettingsSchema.All.Where(s => s.HasFlag)
            .Select(s => (Flag: (s.ShortFlag is null ? "" : s.ShortFlag + ", ") + s.Flag + (s.ValueName is null ? "" : " " + s.ValueName), s.Help))
            .ToList();
        int width = flags.Max(f => f.Flag.Length) + 4;
        var help = new StringBuilder()
            .Append("Usage: iridium ").Append(CommandRouter.Node).Append(" [options...]\n\n")
            .Append(summary).Append("\n\nOptions:\n");
        foreach (var (flag, text) in flags) help.Append("  ").Append(flag.PadRight(width)).Append(text).Append('\n');
        var keysOnly = NodeSettingsSchema.All.Where(s => !s.HasFlag).ToList();
        if (keysOnly.Count > 0) help.Append("\nConfig-file keys without a flag (--config):\n");
        foreach (var setting in keysOnly) help.Append("  ").Append(setting.Key.PadRight(width)).Append(setting.Help).Append('\n');
        return help.ToString();
    }

    private static IEnumerable<string> FlagNames => NodeSettingsSchema.All.Where(s => s.HasFlag)
        .SelectMany(s => s.ShortFlag is null ? [s.Flag] : new[] { s.Flag, s.ShortFlag }).Append("--help");
}
