using System.Globalization;

namespace Iridium.Cli.CommandLine;

/// <summary>
/// Rewrites the generated parser's two usage errors into ours: <c>Argument '--max-step' is not
/// recognized.</c> becomes <see cref="UnknownOption"/>'s wording with the nearest option, and
/// <c>Argument 'max-steps' failed to parse, provided value: lots</c> says what the option needs.
/// The options and their types are read from the command's help, which the generator writes
/// from the same parameters as the parser, so nothing here lists them again.
/// </summary>
internal static class ParserMessages
{
    private const string NotRecognized = "Argument '", NotRecognizedEnd = "' is not recognized.";
    private const string FailedToParse = "' failed to parse, provided value: ";

    public static string Rewrite(string message, Func<string> help)
    {
        if (message.StartsWith(NotRecognized, StringComparison.Ordinal) && message.EndsWith(NotRecognizedEnd, StringComparison.Ordinal))
        {
            string argument = message[NotRecognized.Length..^NotRecognizedEnd.Length];
            return argument.StartsWith('-') && argument.Length > 1
                ? UnknownOption.Message(argument, Options(help()).Select(o => o.Name))
                : $"unexpected argument '{argument}'";
        }
        int failed = message.IndexOf(FailedToParse, StringComparison.Ordinal);
        if (message.StartsWith(NotRecognized, StringComparison.Ordinal) && failed > 0)
        {
            string option = "--" + message[NotRecognized.Length..failed];
            string value = message[(failed + FailedToParse.Length)..];
            string? type = Options(help()).FirstOrDefault(o => string.Equals(o.Name, option, StringComparison.OrdinalIgnoreCase)).Type;
            string needs = type is "int" or "long" ? "a whole number" : "a value";
            // With no value after it, the parser reports the option itself as the value.
            return value.Length == 0 || string.Equals(value, option, StringComparison.OrdinalIgnoreCase) || value.StartsWith('-') && !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                ? $"{option} needs {needs}"
                : $"{option} needs {needs}, not '{value}'";
        }
        return message;
    }

    /// <summary>"  -o, --output &lt;string?&gt;    Where ..." gives (--output, string) and (-o, string).</summary>
    private static IEnumerable<(string Name, string? Type)> Options(string help)
    {
        foreach (string line in help.Split('\n'))
        {
            var text = line.Trim();
            if (!text.StartsWith('-')) continue;
            int gap = text.IndexOf("  ", StringComparison.Ordinal);
            string head = gap < 0 ? text : text[..gap];
            int angle = head.IndexOf('<');
            string? type = angle < 0 ? null : head[(angle + 1)..].TrimEnd('>', '?');
            foreach (string name in (angle < 0 ? head : head[..angle]).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                yield return (name, type);
        }
    }
}
