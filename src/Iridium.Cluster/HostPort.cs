using System.Globalization;
using System.Net;

namespace Iridium.Cluster;

/// <summary>Parses and formats HOST:PORT, with [v6]:PORT for IPv6 literals.</summary>
public static class HostPort
{
    public static bool TryParse(string? text, out string host, out int port)
    {
        host = "";
        port = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        string hostPart = text[..colon];
        if (hostPart.StartsWith('[') && hostPart.EndsWith(']')) hostPart = hostPart[1..^1];
        else if (hostPart.Contains(':')) return false;
        if (hostPart.Length == 0) return false;
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535) return false;
        host = hostPart;
        return true;
    }

    public static string Format(string host, int port)
        => host.Contains(':') ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>0.0.0.0, ::, or empty: an address that says "any interface", useless to a peer.</summary>
    public static bool IsUnspecified(string? host)
        => string.IsNullOrWhiteSpace(host) || (IPAddress.TryParse(host, out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
}
