namespace Iridium.Wire.Tests.Consumer;

// Message types shaped like the cluster's (next issue), compiled by this project with the
// generator referenced as an Analyzer: what any consumer of Iridium.Wire sees.

[MemoryPackable]
[MemoryPackUnion(0, typeof(Hello))]
[MemoryPackUnion(1, typeof(HelloAck))]
[MemoryPackUnion(2, typeof(Join))]
[MemoryPackUnion(3, typeof(Heartbeat))]
[MemoryPackUnion(4, typeof(Leave))]
[MemoryPackUnion(300, typeof(Gossip))]
public partial interface IClusterMessage
{
}

[MemoryPackable]
public partial class NodeInfo
{
    public string? Alias { get; set; }
    public string? Host { get; set; }
    public int Port { get; set; }
}

[MemoryPackable]
public partial class Hello : IClusterMessage
{
    public string? Alias { get; set; }
    public ushort ListenPort { get; set; }
    public Guid NodeId { get; set; }
}

[MemoryPackable]
public partial class HelloAck : IClusterMessage
{
    public NodeInfo? Self { get; set; }
    public List<NodeInfo?>? Members { get; set; }
}

[MemoryPackable]
public partial class Join : IClusterMessage
{
    public NodeInfo? Info { get; set; }
}

[MemoryPackable]
public partial class Heartbeat : IClusterMessage
{
    public long Sequence { get; set; }
    public long UnixMillis { get; set; }
}

/// <summary>Positional record: get-only (init) properties filled through the constructor.</summary>
[MemoryPackable]
public partial record Leave(Guid NodeId, string? Reason, DateTime At) : IClusterMessage;

/// <summary>A wide union tag and a spread of member kinds.</summary>
[MemoryPackable]
public partial class Gossip : IClusterMessage
{
    public Dictionary<string, long>? Versions { get; set; }
    public HashSet<int>? Seen { get; set; }
    public int? MaybeEpoch { get; set; }
    public (int, string?) Pair { get; set; }
    public IClusterMessage? Inner { get; set; }
    public string?[]? Tags { get; set; }
}

/// <summary>Version tolerant with a gap, as a cluster config record would evolve.</summary>
[MemoryPackable(GenerateType.VersionTolerant)]
public partial class ClusterConfig
{
    [MemoryPackOrder(0)] public string? Name { get; set; }
    [MemoryPackOrder(2)] public int Replicas { get; set; }
    [MemoryPackOrder(3)] public List<NodeInfo>? Seeds { get; set; }
}

/// <summary>Circular references: a ring of peers.</summary>
[MemoryPackable(GenerateType.CircularReference)]
public partial class Peer
{
    [MemoryPackOrder(0)] public string? Name { get; set; }
    [MemoryPackOrder(1)] public Peer? Next { get; set; }
}

/// <summary>Nesting without limit, to test MaxDepth.</summary>
[MemoryPackable]
public partial class Chain
{
    public Chain? Next { get; set; }
}
