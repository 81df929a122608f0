namespace Iridium.Cluster;

/// <summary>
/// What a node alias may be: 1 to 64 printable ASCII letters, digits, '-', '_' or '.'. Checked on
/// <c>--node-alias</c>, in config files, and in every introduction and member list a node receives,
/// so an alias can never carry a line break, a terminal escape or a bidi control into a log line
/// or a `members` table.
/// </summary>
public static class AliasRules
{
    public const int MaxLength = 64;

    public static bool IsValid(string? alias) => Problem(alias) is null;

    /// <summary>Null when <paramref name="alias"/> is valid, else what is wrong with it (for a message).</summary>
    public static string? Problem(string? alias)
    {
        if (string.IsNullOrEmpty(alias)) return "it is empty";
        if (alias.Length > MaxLength) return $"it is {alias.Length} characters long; the limit is {MaxLength}";
        foreach (char c in alias)
        {
            if (!IsAllowed(c)) return $"it contains {Describe(c)}; only ASCII letters, digits, '-', '_' and '.' are allowed";
        }
        return null;
    }

    /// <summary>The whole message: <c>node alias 'x?y' is not valid: ...</c>, with the alias shown safely.</summary>
    public static string Explain(string? alias)
        => $"node alias '{UntrustedText.Escape(alias)}' is not valid: {Problem(alias) ?? "it is valid"}";

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static string Describe(char c) => c is > ' ' and < '\x7f' ? $"'{c}'" : $"U+{(int)c:X4}";
}
