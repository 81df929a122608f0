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
    [CheckedString]
    public string? Alias { get; set; }
    [CheckedString]
    public string? Host { get; set; }
    public int Port { get; set; }
    public MemberStatus Status { get; set; }
    public long LastSeenMs { get; set; }
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
