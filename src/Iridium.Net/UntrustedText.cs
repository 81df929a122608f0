using System.Globalization;
using System.Text;

namespace Iridium.Net;

/// <summary>
/// Text that came from the network (a Leave or Refuse reason, an exception message about a peer)
/// made safe to print: control characters, format characters (bidi overrides, zero-width marks)
/// and line or paragraph separators become <c>\uXXXX</c>, and the text is cut to a bounded length.
/// A log line stays one line, and a terminal shows what was sent instead of obeying it.
/// </summary>
public static class UntrustedText
{
    public const int DefaultMaxLength = 200;

    public static string Escape(string? text, int maxLength = DefaultMaxLength)
    {
        if (string.IsNullOrEmpty(text)) return "";
        bool cut = text.Length > maxLength;
        var span = cut ? text.AsSpan(0, maxLength) : text.AsSpan();
        if (!cut && !NeedsEscaping(span)) return text;
        var result = new StringBuilder(span.Length + 16);
        foreach (char c in span)
        {
            if (IsUnsafe(c)) result.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            else result.Append(c);
        }
        if (cut) result.Append("...");
        return result.ToString();
    }

    private static bool NeedsEscaping(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (IsUnsafe(c)) return true;
        }
        return false;
    }

    private static bool IsUnsafe(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
        or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
}
