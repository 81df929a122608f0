using System.Globalization;

namespace Iridium.Cluster.ProcessCommands;

/// <summary>
/// Where `iridium send` and `call` address a message: a process id ALIAS.N, a name NAME@ALIAS,
/// or a bare NAME (registered on the node that handles the request). <see cref="Alias"/> is the
/// member that holds it (null: the handling node).
/// </summary>
internal readonly record struct SendTarget(string? Alias, long? Serial, string? Name)
{
    /// <summary>How the target reads: "n2.7" or "counter@n2" (escaped: it came from the network).</summary>
    public override string ToString()
        => UntrustedText.Escape(Serial is { } serial ? $"{Alias}.{serial.ToString(CultureInfo.InvariantCulture)}" : Alias is null ? Name ?? "" : $"{Name}@{Alias}");

    /// <summary>Reads <paramref name="text"/>; false when it is none of the three forms.</summary>
    public static bool TryParse(string? text, out SendTarget target)
    {
        target = default;
        if (string.IsNullOrEmpty(text) || text.Length > 200) return false;
        int at = text.LastIndexOf('@');
        if (at >= 0)
        {
            string name = text[..at], alias = text[(at + 1)..];
            if (!IsName(name) || !AliasRules.IsValid(alias)) return false;
            target = new SendTarget(alias, null, name);
            return true;
        }
        int dot = text.LastIndexOf('.');
        if (dot > 0 && AliasRules.IsValid(text[..dot])
            && long.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long serial))
        {
            target = new SendTarget(text[..dot], serial, null);
            return true;
        }
        if (!IsName(text)) return false;
        target = new SendTarget(null, null, text);
        return true;
    }

    /// <summary>A name REG accepts: 1-64 characters from A-Z a-z 0-9 . _ - (docs/reference/isa.md).</summary>
    private static bool IsName(string name)
        => name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
