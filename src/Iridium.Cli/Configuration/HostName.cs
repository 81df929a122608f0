using System.Net;

namespace Iridium.Cli.Configuration;

/// <summary>What a host setting accepts: an IP address (an IPv6 one with or without brackets) or a DNS name.</summary>
internal static class HostName
{
    public const string Expected = "a host name or IP address";

    public static bool IsValid(string text)
    {
        string address = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
        if (address.Length > 0 && IPAddress.TryParse(address, out _)) return true;
        string name = text.EndsWith('.') ? text[..^1] : text;
        if (name.Length is 0 or > 253) return false;
        foreach (string label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        }
        return true;
    }
}
