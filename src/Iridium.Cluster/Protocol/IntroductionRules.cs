using System.Text;

namespace Iridium.Cluster.Protocol;

/// <summary>Field checks on a peer's self-description, before anything is believed or stored.</summary>
internal static class IntroductionRules
{
    /// <summary>Null when valid, else what is wrong.</summary>
    public static string? Check(Guid nodeId, string? alias, string? host, int port, byte[]? nonce, ConnectionRole role)
    {
        if (nodeId == Guid.Empty) return "empty node id";
        if (string.IsNullOrWhiteSpace(alias)) return "empty alias";
        if (Encoding.UTF8.GetByteCount(alias) > ProtocolLimits.MaxAliasBytes) return "alias too long";
        if (host is not null && Encoding.UTF8.GetByteCount(host) > ProtocolLimits.MaxHostBytes) return "host too long";
        if (nonce is null || nonce.Length != ProtocolLimits.NonceBytes) return "bad nonce";
        // A client listens nowhere; a node must advertise a port peers can dial.
        if (role == ConnectionRole.Node ? port is < 1 or > 65535 : port is < 0 or > 65535) return $"bad port {port}";
        if (role is not (ConnectionRole.Node or ConnectionRole.Client)) return "unknown role";
        return null;
    }
}
