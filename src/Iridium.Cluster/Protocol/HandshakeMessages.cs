using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>What a dialer wants from the connection it opens.</summary>
internal enum ConnectionRole : byte
{
    /// <summary>A cluster node: recorded as a member once the handshake succeeds.</summary>
    Node = 0,
    /// <summary>A tool such as `iridium members`: authenticated, answered, never recorded.</summary>
    Client = 1,
}

/// <summary>The identity fields both opening messages share, so the handshake treats them alike.</summary>
internal interface IIntroduction : IClusterMessage
{
    int ProtocolVersion { get; }
    Guid NodeId { get; }
    string? Alias { get; }
    /// <summary>Where peers should connect; empty means "the address you see me connect from".</summary>
    string? AdvertisedHost { get; }
    int AdvertisedPort { get; }
    byte[]? Nonce { get; }
    ConnectionRole Role { get; }
}

/// <summary>First frame of a join: dialer to a seed. Answered with <see cref="HelloAck"/> carrying the seed's members.</summary>
[MemoryPackable]
internal partial class Hello : IIntroduction
{
    public int ProtocolVersion { get; set; }
    public Guid NodeId { get; set; }
    [MemoryPackIgnore]
    public string? Alias { get => _alias.Value; set => _alias = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _alias;
    [MemoryPackIgnore]
    public string? AdvertisedHost { get => _advertisedHost.Value; set => _advertisedHost = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _advertisedHost;
    public int AdvertisedPort { get; set; }
    public byte[]? Nonce { get; set; }
    public ConnectionRole Role { get; set; }
}

/// <summary>First frame to every other member: as <see cref="Hello"/>, but asks for no member list.</summary>
[MemoryPackable]
internal partial class Join : IIntroduction
{
    public int ProtocolVersion { get; set; }
    public Guid NodeId { get; set; }
    [MemoryPackIgnore]
    public string? Alias { get => _alias.Value; set => _alias = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _alias;
    [MemoryPackIgnore]
    public string? AdvertisedHost { get => _advertisedHost.Value; set => _advertisedHost = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _advertisedHost;
    public int AdvertisedPort { get; set; }
    public byte[]? Nonce { get; set; }
    public ConnectionRole Role { get; set; }
}

/// <summary>
/// Acceptor to dialer: the acceptor's identity, its nonce, and its proof that it knows the
/// cookie (HMAC over both nonces). The dialer checks the proof before proving itself.
/// </summary>
[MemoryPackable]
internal partial class Challenge : IClusterMessage
{
    public int ProtocolVersion { get; set; }
    public Guid NodeId { get; set; }
    [MemoryPackIgnore]
    public string? Alias { get => _alias.Value; set => _alias = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _alias;
    [MemoryPackIgnore]
    public string? AdvertisedHost { get => _advertisedHost.Value; set => _advertisedHost = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _advertisedHost;
    public int AdvertisedPort { get; set; }
    public byte[]? Nonce { get; set; }
    public byte[]? Mac { get; set; }
}

/// <summary>Dialer to acceptor: the dialer's HMAC over both nonces.</summary>
[MemoryPackable]
internal partial class Proof : IClusterMessage
{
    public byte[]? Mac { get; set; }
}

/// <summary>
/// Acceptor to dialer, last handshake frame: the connection is accepted. <see cref="Members"/>
/// lists the acceptor's live peers in answer to a <see cref="Hello"/>; it is empty for a <see cref="Join"/>.
/// </summary>
[MemoryPackable]
internal partial class HelloAck : IClusterMessage
{
    public List<MemberRecord>? Members { get; set; }
}

/// <summary>Either side, then the connection closes: version mismatch, failed authentication, alias taken, duplicate.</summary>
[MemoryPackable]
internal partial class Refuse : IClusterMessage
{
    public RefuseCode Code { get; set; }
    [MemoryPackIgnore]
    public string? Reason { get => _reason.Value; set => _reason = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _reason;
}

internal enum RefuseCode : byte
{
    Version = 1,
    Authentication = 2,
    AliasTaken = 3,
    /// <summary>A connection between the two nodes already exists and wins (not an error).</summary>
    Duplicate = 4,
    /// <summary>The dialer reached itself.</summary>
    Self = 5,
    Protocol = 6,
    ShuttingDown = 7,
    /// <summary>The node serves as many clients as it allows; try again later.</summary>
    Busy = 8,
}

/// <summary>A member as peers should reach it.</summary>
[MemoryPackable]
internal partial class MemberRecord
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
}
