namespace Iridium.Cluster.Protocol;

/// <summary>Protocol constants and the limits applied to untrusted input.</summary>
internal static class ProtocolLimits
{
    /// <summary>
    /// Bumped on any incompatible change; peers with another version are refused. Version 2
    /// encrypts every connection (<see cref="SecureHello"/> first); version 3 appends fields to
    /// ExecRequest (detach), ProcessRecord (mailbox, drops, parent, group) and RemoteSpawn (group),
    /// which a node of version 2 cannot read: it is refused at the handshake with the reason,
    /// rather than failing later on exec, ps or a spawn; version 4 carries the Hello or Join inside
    /// the key exchange's first message and the Challenge inside its second (two round trips to an
    /// authenticated connection, as in protocol 1, where version 3 took three).
    /// </summary>
    public const int Version = 4;

    /// <summary>The version of builds that send everything in plain text: admitted only with --allow-plaintext-peers.</summary>
    public const int PlaintextVersion = 1;

    /// <summary>Bytes of the little-endian uint32 length before each frame.</summary>
    public const int FrameHeaderBytes = 4;

    /// <summary>
    /// Frame cap until the peer has authenticated: a stranger can make us buffer no more than this.
    /// Handshake frames are a few hundred bytes except HelloAck, whose member list is capped too.
    /// </summary>
    public const int HandshakeFrameBytes = 64 * 1024;

    /// <summary>Smallest configurable frame cap: must hold any handshake frame.</summary>
    public const int MinFrameBytes = HandshakeFrameBytes;

    public const int NonceBytes = 32;
    public const int MaxAliasBytes = 255;
    public const int MaxHostBytes = 255;

    /// <summary>Most members one list may carry; longer lists are a protocol error.</summary>
    public const int MaxMembers = 4096;
}
