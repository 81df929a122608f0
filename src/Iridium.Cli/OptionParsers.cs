using System.CommandLine.Parsing;
using System.Globalization;

namespace Iridium.Cli;

/// <summary>Option value parsers that report bad values as usage errors (exit 2) instead of throwing.</summary>
internal static class OptionParsers
{
    public static long? NonNegativeLong(ArgumentResult result) => LongAtLeast(0)(result);

    /// <summary>A parser for a whole number of at least <paramref name="min"/>.</summary>
    public static Func<ArgumentResult, long?> LongAtLeast(long min) => result =>
    {
        string text = LastToken(result);
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value >= min) return value;
        result.AddError($"{NameOf(result)} expects a whole number {min} or more, not '{text}'.");
        return null;
    };

    /// <summary>A parser for a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, int> IntInRange(int min, int max) => result =>
    {
        string text = LastToken(result);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max) return value;
        result.AddError($"{NameOf(result)} expects a whole number from {min} to {max}, not '{text}'.");
        return min;
    };

    private static string LastToken(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static string NameOf(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : "the value";
}
