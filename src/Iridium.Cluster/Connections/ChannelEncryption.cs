using Iridium.Cluster.Protocol;
using Iridium.Crypto;

namespace Iridium.Cluster.Connections;

/// <summary>
/// The first exchange of every connection of protocol 2, before the handshake proper
/// (docs/reference/cluster-protocol.md, "Encryption"):
/// <code>
/// dialer   → SecureHello    version 2, cipher, Noise message 1 (-> psk, e)
/// acceptor → SecureAccept   Noise message 2 (&lt;- e, ee)          (or Refuse: why)
/// </code>
/// Both then encrypt every frame (<see cref="ClusterConnection.Encrypt"/>), and the Hello,
/// Challenge, Proof and HelloAck that follow travel encrypted like everything after them. The
/// pre-shared key comes from the cookie, so a stranger's SecureHello fails its tag and is refused
/// after a few hash computations, without a Diffie-Hellman: the cost of an unauthenticated
/// connection stays bounded. A node's ephemeral keys come from <see cref="EphemeralKeys"/>, which
/// makes the next one in the background after each handshake, so no handshake of a node waits
/// for its key; a client makes its one key when it dials.
/// </summary>
internal static class ChannelEncryption
{
    /// <summary>Noise's prologue: binds the handshake to this protocol (a remote REPL handshake cannot stand in for it).</summary>
    private static ReadOnlySpan<byte> Prologue => "iridium cluster v2"u8;

    /// <summary>
    /// The dialer's first message, made before it connects (the ephemeral key takes a moment to
    /// make, far longer on a busy machine). Sent the moment the connection is up, it reaches the
    /// acceptor before anything can count the connection as silent: a flood from the dialer's own
    /// address pushes out the oldest connection that has sent nothing (<see cref="Iridium.Net.PreAuthBudget"/>).
    /// One opening serves one connection.
    /// </summary>
    public sealed class Opening
    {
        internal Opening(byte[] cookie, EphemeralKey ephemeral)
        {
            Noise = NoiseHandshake.Initiator(CipherChoices.Preferred, CookieKey.PreSharedKey(cookie), Prologue);
            Hello = new SecureHello { ProtocolVersion = ProtocolLimits.Version, Cipher = (byte)Noise.Cipher, Message = Noise.WriteFirst([], ephemeral) };
        }

        internal NoiseHandshake Noise { get; }

        internal SecureHello Hello { get; }
    }

    /// <summary>
    /// Makes the dialer's first message for one connection (see <see cref="Opening"/>). A node
    /// (<paramref name="byNode"/>) takes the key made ahead and has the next one made; a client
    /// makes its key now.
    /// </summary>
    public static Opening Open(byte[] cookie, bool byNode = false)
    {
        if (!byNode) return new(cookie, EphemeralKey.New());
        var opening = new Opening(cookie, EphemeralKeys.Take());
        EphemeralKeys.Prepare();
        return opening;
    }

    /// <summary>The dialer's side: null once every frame is encrypted, or why not.</summary>
    public static async Task<DialOutcome?> DialAsync(ClusterConnection connection, Opening opening, CancellationToken ct)
    {
        var noise = opening.Noise;
        await connection.WriteAsync(opening.Hello, ct).ConfigureAwait(false);
        var reply = await connection.ReadAsync(ct).ConfigureAwait(false);
        if (reply is Refuse refuse) return Handshake.Refused(refuse);
        if (reply is null)
            return new DialOutcome(false, RefuseCode.Version, "the peer closed the connection at the encrypted handshake (it may run an older iridium, protocol 1, which has no encryption)", null, null) { PeerMayBeOlder = true };
        if (reply is not SecureAccept accept) return Handshake.Failed($"expected SecureAccept, got {reply.GetType().Name}");
        try
        {
            noise.ReadSecond(accept.Message ?? []);
        }
        catch (AuthenticationException)
        {
            return Handshake.Failed("authentication failed: the peer does not know the cluster cookie", RefuseCode.Authentication);
        }
        connection.Encrypt(noise.Split());
        return null;
    }

    /// <summary>
    /// The acceptor's side, given the dialer's <paramref name="hello"/>: null once every frame is
    /// encrypted, or the refusal (sent to the dialer already).
    /// </summary>
    public static async Task<AcceptOutcome?> AcceptAsync(ClusterConnection connection, SecureHello hello, byte[] cookie, CancellationToken ct)
    {
        if (hello.ProtocolVersion != ProtocolLimits.Version)
            return await Handshake.RefuseAsync(connection, RefuseCode.Version, $"protocol version {hello.ProtocolVersion} is not supported (this node speaks {ProtocolLimits.Version})", ct).ConfigureAwait(false);
        if (!CipherChoices.IsKnown(hello.Cipher))
            return await Handshake.RefuseAsync(connection, RefuseCode.Protocol, $"unknown cipher {hello.Cipher}", ct).ConfigureAwait(false);
        var noise = NoiseHandshake.Responder((CipherChoice)hello.Cipher, CookieKey.PreSharedKey(cookie), Prologue);
        try
        {
            noise.ReadFirst(hello.Message ?? []);
        }
        catch (AuthenticationException)
        {
            return await Handshake.RefuseAsync(connection, RefuseCode.Authentication, "authentication failed: wrong cluster cookie", ct).ConfigureAwait(false);
        }
        // Taken only now that the first message has checked: a stranger costs no key.
        var ephemeral = EphemeralKeys.Take();
        EphemeralKeys.Prepare();
        byte[] second;
        try
        {
            second = noise.WriteSecond([], ephemeral);
        }
        catch (AuthenticationException e)
        {
            return await Handshake.RefuseAsync(connection, RefuseCode.Protocol, e.Message, ct).ConfigureAwait(false);
        }
        var keys = noise.Split();
        try
        {
            await connection.WriteAsync(new SecureAccept { Message = second }, ct).ConfigureAwait(false);
        }
        finally
        {
            // The frame is in the connection's output once WriteAsync is entered, even when its
            // flush is cancelled (a connection pushed out of the handshake budget): anything
            // written after it, such as the busy Refuse, must be sealed, or the dialer (which
            // reads SecureAccept and encrypts) cannot open it.
            connection.Encrypt(keys);
        }
        return null;
    }
}
