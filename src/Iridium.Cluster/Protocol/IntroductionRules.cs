using System.Text;

namespace Iridium.Cluster.Protocol;

/// <summary>Field checks on what a peer says about itself or about other members, before anything is believed or stored.</summary>
internal static class IntroductionRules
{
    /// <summary>Null when a Hello, Join or Challenge is valid, else what is wrong.</summary>
    public static string? Check(Guid nodeId, string? alias, string? host, int port, byte[]? nonce, ConnectionRole role)
    {
        if (role is not (ConnectionRole.Node or ConnectionRole.Client)) return "unknown role";
        // A client listens nowhere; a node must advertise a port peers can dial.
        return CheckMember(nodeId, alias, host, port, clientPort: role == ConnectionRole.Client)
            ?? (nonce is null || nonce.Length != ProtocolLimits.NonceBytes ? "bad nonce" : null);
    }

    /// <summary>Null when an entry of a member list is valid, else what is wrong.</summary>
    public static string? Check(MemberRecord? member)
        => member is null ? "empty entry" : CheckMember(member.NodeId, member.Alias, member.Host, member.Port, clientPort: false);

    private static string? CheckMember(Guid nodeId, string? alias, string? host, int port, bool clientPort)
    {
        if (nodeId == Guid.Empty) return "empty node id";
        if (AliasRules.Problem(alias) is not null) return AliasRules.Explain(alias);
        if (host is not null && HostProblem(host) is { } hostProblem) return hostProblem;
        if (clientPort ? port is < 0 or > 65535 : port is < 1 or > 65535) return $"bad port {port}";
        return null;
    }

    /// <summary>A host is a name or an address: printable ASCII without spaces (empty means "the address you see").</summary>
    private static string? HostProblem(string host)
    {
        if (Encoding.UTF8.GetByteCount(host) > ProtocolLimits.MaxHostBytes) return "host too long";
        foreach (char c in host)
        {
            if (c is <= ' ' or >= '\x7f') return $"host '{UntrustedText.Escape(host)}' has a character that is not printable ASCII";
        }
        return null;
    }
}
