using System.Text.Json.Serialization;
using Iridium.Wire;

namespace Iridium.Bench.Wire;

public enum NodeRole : byte
{
    Unknown,
    Seed,
    Member,
}

[MemoryPackable]
public partial class NodeInfo
{
    public string? Alias { get; set; }
    public string? Host { get; set; }
    public int Port { get; set; }
}

/// <summary>The handshake reply: 16 members of the kinds a cluster message carries.</summary>
[MemoryPackable]
public partial class HelloAck
{
    public string? Alias { get; set; }
    public string? Host { get; set; }
    public int Port { get; set; }
    public Guid NodeId { get; set; }
    public string? ClusterId { get; set; }
    public long Epoch { get; set; }
    public long Sequence { get; set; }
    public DateTime StartedAt { get; set; }
    public TimeSpan Uptime { get; set; }
    public bool IsSeed { get; set; }
    public NodeRole Role { get; set; }
    public double Load { get; set; }
    public int Generation { get; set; }
    public int? ProtocolVersion { get; set; }
    public NodeInfo? Self { get; set; }
    public List<NodeInfo>? Members { get; set; }
}

[MemoryPackable]
public partial class Heartbeat
{
    public long Sequence { get; set; }
    public long UnixMillis { get; set; }
}

/// <summary>System.Text.Json's source-generated serializers for the same objects.</summary>
[JsonSerializable(typeof(HelloAck))]
[JsonSerializable(typeof(Heartbeat))]
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Default)]
public partial class BenchJsonContext : JsonSerializerContext
{
}
