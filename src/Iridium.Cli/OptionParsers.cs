using System.CommandLine.Parsing;
using System.Globalization;

namespace Iridium.Cli;

/// <summary>Option value parsers that report bad values as usage errors (exit 2) instead of throwing.</summary>
internal static class OptionParsers
{
    public static long? NonNegativeLong(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)) return value;
        string name = result.Parent is OptionResult option ? option.Option.Name : "the value";
        result.AddError($"{name} expects a whole number 0 or more, not '{text}'.");
        return null;
    }
}
