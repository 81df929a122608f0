namespace Iridium.Cluster;

/// <summary>How a node sees a member. <see cref="Self"/> is the node itself.</summary>
public enum MemberStatus : byte
{
    Self = 0,
    Up = 1,
    Down = 2,
}

/// <summary>Why a member is down, in this node's view (on the wire as a byte: never renumber).</summary>
public enum DownReason : byte
{
    /// <summary>It said it was leaving (a graceful shutdown).</summary>
    Left = 1,
    /// <summary>Its connection ended without a Leave (a killed process, a reset, a bad frame).</summary>
    ConnectionLost = 2,
    /// <summary>Nothing arrived from it for the failure timeout (a frozen process, a dead link).</summary>
    NoHeartbeat = 3,
}

/// <summary>
/// One member of a node's view. <see cref="LastSeenMs"/> is how long ago the node last heard from
/// it (0 for itself). For a down member, <see cref="DownSinceMs"/> is how long ago it went down
/// and <see cref="Reason"/> why; both are null while it is up.
/// </summary>
public sealed record MemberInfo(string Alias, Guid NodeId, string Host, int Port, MemberStatus Status, long LastSeenMs,
    long? DownSinceMs = null, DownReason? Reason = null);

/// <summary>The outcome of <see cref="ClusterNode.JoinAsync"/>: <see cref="Message"/> says what happened, for people.</summary>
public sealed record JoinResult(bool Success, string Message);

/// <summary>The words <c>members</c> and the logs use for statuses and down reasons.</summary>
public static class MemberWords
{
    public static string Status(MemberStatus status) => status switch
    {
        MemberStatus.Self => "self",
        MemberStatus.Up => "up",
        _ => "down",
    };

    public static string Reason(DownReason reason) => reason switch
    {
        DownReason.Left => "left",
        DownReason.ConnectionLost => "connection lost",
        DownReason.NoHeartbeat => "no heartbeat",
        _ => "unknown",
    };
}
