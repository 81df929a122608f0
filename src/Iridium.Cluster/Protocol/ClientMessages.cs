using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>Client to node: send me your view of the cluster.</summary>
[MemoryPackable]
internal partial class MembersQuery : IClusterMessage
{
}

/// <summary>Node to client: its members, itself included.</summary>
[MemoryPackable]
internal partial class MembersView : IClusterMessage
{
    public List<MemberStatusRecord>? Members { get; set; }
}

[MemoryPackable]
internal partial class MemberStatusRecord
{
    public Guid NodeId { get; set; }
    [MemoryPackIgnore]
    public string? Alias { get => _alias.Value; set => _alias = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _alias;
    [MemoryPackIgnore]
    public string? Host { get => _host.Value; set => _host = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _host;
    public int Port { get; set; }
    public MemberStatus Status { get; set; }
    public long LastSeenMs { get; set; }
}

/// <summary>
/// Node to client, right after a <see cref="MembersView"/> that lists down members: how long ago
/// and why each went down. A separate message so the view keeps the bytes older builds read:
/// an older client stops reading after the view, and an older node never lists a down member,
/// so a client waits for this only when the view it got has one.
/// </summary>
[MemoryPackable]
internal partial class DownMembers : IClusterMessage
{
    public List<DownMemberRecord>? Members { get; set; }
}

[MemoryPackable]
internal partial class DownMemberRecord
{
    public Guid NodeId { get; set; }
    public long DownSinceMs { get; set; }
    public DownReason Reason { get; set; }
}

/// <summary>Round-trip probe; answered with a <see cref="Pong"/> carrying the same values.</summary>
[MemoryPackable]
internal partial class Ping : IClusterMessage
{
    public long Sequence { get; set; }
    public long Timestamp { get; set; }
}

[MemoryPackable]
internal partial class Pong : IClusterMessage
{
    public long Sequence { get; set; }
    public long Timestamp { get; set; }
}

/// <summary>Opaque application payload between nodes (the future VM-to-VM channel; used by the throughput benchmark).</summary>
[MemoryPackable]
internal partial class Data : IClusterMessage
{
    public byte[]? Body { get; set; }
}
