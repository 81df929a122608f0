using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Dialer to acceptor, the first frame of every connection of protocol 2: the Noise handshake's
/// first message (<c>-&gt; psk, e</c>: the dialer's ephemeral key and a tag that proves it knows
/// the cookie) and the cipher the dialer chose (1 ChaCha20-Poly1305, 2 AES-256-GCM), which is
/// part of the Noise protocol name and so of what both sides authenticate.
/// </summary>
[MemoryPackable]
internal partial class SecureHello : IClusterMessage
{
    public int ProtocolVersion { get; set; }
    public byte Cipher { get; set; }
    public byte[]? Message { get; set; }
}

/// <summary>
/// Acceptor to dialer: the Noise handshake's second message (<c>&lt;- e, ee</c>). After it every
/// frame both ways is encrypted (docs/reference/cluster-protocol.md, "Encryption").
/// </summary>
[MemoryPackable]
internal partial class SecureAccept : IClusterMessage
{
    public byte[]? Message { get; set; }
}
