using System.Text;

namespace Iridium.Vm;

/// <summary>
/// Names of REG and WHERE: 1–64 characters from <c>A-Z a-z 0-9 . _ -</c> (the text of a
/// NUL-terminated ro string); WHERE also takes <c>NAME@ALIAS</c> (a name on member ALIAS).
/// </summary>
internal static class ProcessName
{
    public const int MaxLength = 64;

    /// <summary>A name (no alias): VALUE when it is not one.</summary>
    public static FaultCode TryParse(ReadOnlySpan<byte> text, out string name)
    {
        name = "";
        if (!IsName(text)) return FaultCode.Value;
        name = Encoding.ASCII.GetString(text);
        return FaultCode.None;
    }

    /// <summary>WHERE's operand: <c>NAME</c> or <c>NAME@ALIAS</c> (alias null for the first); VALUE when malformed.</summary>
    public static FaultCode TryParseQualified(ReadOnlySpan<byte> text, out string name, out string? alias)
    {
        alias = null;
        int at = text.IndexOf((byte)'@');
        if (at < 0) return TryParse(text, out name);
        name = "";
        if (!IsName(text[..at]) || !IsName(text[(at + 1)..])) return FaultCode.Value;
        name = Encoding.ASCII.GetString(text[..at]);
        alias = Encoding.ASCII.GetString(text[(at + 1)..]);
        return FaultCode.None;
    }

    private static bool IsName(ReadOnlySpan<byte> text)
    {
        if (text.Length is 0 or > MaxLength) return false;
        foreach (byte b in text)
        {
            bool ok = b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9') or (byte)'.' or (byte)'_' or (byte)'-';
            if (!ok) return false;
        }
        return true;
    }
}
