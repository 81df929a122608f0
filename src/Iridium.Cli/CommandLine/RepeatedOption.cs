namespace Iridium.Cli.CommandLine;

/// <summary>
/// Every value of an option that may be given more than once (<c>--join A --join B</c>,
/// <c>-c LINE -c LINE</c>). The parser keeps only the last value of a repeated option, so the
/// command reads all of them from its arguments; the parser has already checked each one.
/// </summary>
internal static class RepeatedOption
{
    public static IReadOnlyList<string> Values(ReadOnlySpan<string> arguments, params string[] names)
    {
        var values = new List<string>();
        for (int i = 0; i + 1 < arguments.Length; i++)
        {
            if (names.Contains(arguments[i], StringComparer.OrdinalIgnoreCase)) values.Add(arguments[++i]);
        }
        return values;
    }
}
