namespace Iridium.Cluster;

/// <summary>How a node sees a member. <see cref="Self"/> is the node itself.</summary>
public enum MemberStatus : byte
{
    Self = 0,
    Up = 1,
    Down = 2,
}

/// <summary>One member of a node's view; <see cref="LastSeenMs"/> is how long ago the node last heard from it (0 for itself).</summary>
public sealed record MemberInfo(string Alias, Guid NodeId, string Host, int Port, MemberStatus Status, long LastSeenMs);

/// <summary>The outcome of <see cref="ClusterNode.JoinAsync"/>: <see cref="Message"/> says what happened, for people.</summary>
public sealed record JoinResult(bool Success, string Message);
