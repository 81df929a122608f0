using System.Text;

namespace Iridium.Cli.CommandLine;

/// <summary>
/// Turns ConsoleAppFramework's generated help into what a Unix user expects. The generator writes
/// the help as constant text with a generic usage line (<c>Usage: run [arguments...] [options...]</c>,
/// no program name, no argument names), nullable type names (<c>&lt;string?&gt;</c>) and
/// <c>[Default: null]</c> for options without a default. Our argument descriptions start with the
/// argument's name (<c>FILE: ...</c>, <c>HOST:PORT: ...</c>), so the usage line is rebuilt from
/// them: <c>Usage: iridium run FILE [options...]</c>. Only help text passes through here; plain
/// string work rather than Regex keeps the regex engine out of the binary (start-up scales with its size).
/// </summary>
internal static class HelpText
{
    public static string Polish(string help, string command)
    {
        var arguments = new List<string>();
        var lines = help.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (TryReadArgument(lines[i], out string name, out string description))
            {
                arguments.Add(name);
                lines[i] = $"  {name.PadRight(14)}{description}";
                continue;
            }
            lines[i] = lines[i].Replace(" [Default: null]", "").Replace("?> ", ">  ").Replace("?>", ">");
        }

        int usage = Array.FindIndex(lines, line => line.StartsWith("Usage: ", StringComparison.Ordinal));
        if (usage >= 0)
        {
            var text = new StringBuilder("Usage: iridium");
            if (command.Length > 0) text.Append(' ').Append(command);
            if (lines[usage].Contains("[command]", StringComparison.Ordinal)) text.Append(" [command]");
            foreach (string argument in arguments) text.Append(' ').Append(argument);
            lines[usage] = text.Append(" [options...]").ToString();
        }
        return string.Join('\n', lines);
    }

    /// <summary>"  [0] &lt;string?&gt;    FILE: an image ..." gives FILE and "an image ...".</summary>
    private static bool TryReadArgument(string line, out string name, out string description)
    {
        name = description = "";
        var text = line.AsSpan().TrimStart();
        if (!text.StartsWith("[") || text.IndexOf("] <") is not (> 1 and int close)) return false;
        text = text[(close + 2)..];
        int typeEnd = text.IndexOf('>');
        if (typeEnd < 0) return false;
        text = text[(typeEnd + 1)..].TrimStart();
        int colon = text.IndexOf(": ");
        if (colon <= 0) return false;
        foreach (char c in text[..colon])
        {
            if (!(char.IsAsciiLetterUpper(c) || c is ':' or '_' or '-')) return false;
        }
        name = text[..colon].ToString();
        description = text[(colon + 2)..].ToString();
        return true;
    }
}
