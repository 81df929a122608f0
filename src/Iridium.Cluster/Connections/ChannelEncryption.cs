using Iridium.Cluster.Protocol;
using Iridium.Crypto;

namespace Iridium.Cluster.Connections;

/// <summary>
/// The key exchange every connection of the encrypted protocol starts with, which carries the
/// first half of the handshake as its payloads (docs/reference/cluster-protocol.md, "Encryption"):
/// <code>
/// dialer   → SecureHello    version, cipher, Noise message 1 (-> psk, e) carrying the Hello or Join
/// acceptor → SecureAccept   Noise message 2 (&lt;- e, ee) carrying the Challenge (or a Refuse)
/// </code>
/// Both then encrypt every frame (<see cref="ClusterConnection.Encrypt"/>): the Proof and HelloAck
/// that follow travel sealed like everything after them. Two round trips in all, as many as the
/// plain-text protocol's handshake. The pre-shared key comes from the cookie, so a stranger's
/// SecureHello fails its tag and is refused after a few hash computations, without a
/// Diffie-Hellman: the cost of an unauthenticated connection stays bounded. A node's ephemeral
/// keys come from <see cref="EphemeralKeys"/>, which makes the next one in the background after
/// each handshake, so no handshake of a node waits for its key; a client has its one key made
/// on a thread of its own from the moment it knows it will connect.
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
    /// Its payload is the dialer's introduction, sealed under the pre-shared key (not yet under
    /// the ephemeral keys: an introduction holds nothing secret). One opening serves one connection.
    /// </summary>
    public sealed class Opening
    {
        internal Opening(byte[] cookie, IIntroduction introduction, EphemeralKey ephemeral)
        {
            Introduction = introduction;
            Noise = NoiseHandshake.Initiator(CipherChoices.Preferred, PreSharedKey(cookie), Prologue);
            Hello = new SecureHello { ProtocolVersion = ProtocolLimits.Version, Cipher = (byte)Noise.Cipher, Message = Noise.WriteFirst(Payload(introduction), ephemeral) };
        }

        internal IIntroduction Introduction { get; }

        internal NoiseHandshake Noise { get; }

        internal SecureHello Hello { get; }
    }

    /// <summary>
    /// Makes the dialer's first message for one connection (see <see cref="Opening"/>). A node
    /// (<paramref name="byNode"/>) takes the key made ahead and has the next one made; a client
    /// takes the one its own thread makes (<see cref="EphemeralKeys.PrepareOnOwnThread"/>), or makes it now.
    /// </summary>
    public static Opening Open(byte[] cookie, IIntroduction introduction, bool byNode = false)
    {
        if (!byNode) return new(cookie, introduction, EphemeralKeys.TakeOwnThreadKey());
        var opening = new Opening(cookie, introduction, EphemeralKeys.Take());
        EphemeralKeys.Prepare();
        return opening;
    }

    /// <summary>
    /// The dialer's side: the acceptor's answer to the introduction (a <see cref="Challenge"/>,
    /// or the <see cref="Refuse"/> it sent inside message 2) once every frame is encrypted, or
    /// <paramref name="failure"/>: why there is no answer.
    /// </summary>
    public static async Task<(IClusterMessage? Answer, DialOutcome? Failure)> DialAsync(ClusterConnection connection, Opening opening, CancellationToken ct)
    {
        var noise = opening.Noise;
        await connection.WriteAsync(opening.Hello, ct).ConfigureAwait(false);
        bool keyReadAhead;
        byte[] payload;
        try
        {
            // The acceptor's key leaves ahead of the rest of message 2 (AnswerAsync): its
            // Diffie-Hellman runs here while the acceptor computes its own.
            keyReadAhead = await ReadAcceptorKeyAsync(connection, noise, ct).ConfigureAwait(false);
        }
        catch (AuthenticationException)
        {
            return (null, Handshake.Failed("authentication failed: the peer sent an invalid ephemeral key", RefuseCode.Authentication));
        }
        var reply = await connection.ReadAsync(ct).ConfigureAwait(false);
        if (reply is Refuse refuse) return (null, Handshake.Refused(refuse));
        if (reply is null)
            return (null, new DialOutcome(false, RefuseCode.Version, "the peer closed the connection at the encrypted handshake (it may run an older iridium, protocol 1, which has no encryption)", null, null) { PeerMayBeOlder = true });
        if (reply is not SecureAccept accept) return (null, Handshake.Failed($"expected SecureAccept, got {reply.GetType().Name}"));
        try
        {
            // The key read ahead is this frame's own start (PeekAsync consumed nothing): only the rest is left.
            var message = accept.Message ?? [];
            if (!keyReadAhead) payload = noise.ReadSecond(message);
            else if (message.Length < NoiseHandshake.DhBytes) throw new AuthenticationException("second handshake message too short");
            else payload = noise.ReadSecondRest(message.AsSpan(NoiseHandshake.DhBytes));
        }
        catch (AuthenticationException)
        {
            return (null, Handshake.Failed("authentication failed: the peer does not know the cluster cookie", RefuseCode.Authentication));
        }
        connection.Encrypt(noise.Split());
        return (FrameCodec.Decode(new System.Buffers.ReadOnlySequence<byte>(payload)), null);
    }

    /// <summary>
    /// Reads the acceptor's ephemeral public key from the start of its <see cref="SecureAccept"/>
    /// frame before the rest has come, and does the dialer's Diffie-Hellman with it
    /// (<see cref="NoiseHandshake.ReadSecondEphemeral"/>): true. False, with nothing done, when
    /// what arrives is not a SecureAccept (a Refuse, an older peer's frame, the end of the
    /// stream): the whole frame read then tells what it is.
    /// </summary>
    private static async Task<bool> ReadAcceptorKeyAsync(ClusterConnection connection, NoiseHandshake noise, CancellationToken ct)
    {
        var start = await connection.PeekAsync(AcceptKeyEnd, ct).ConfigureAwait(false);
        var template = AcceptTemplate.Value;
        // The frame's length and the message's length differ with the payload; what lies between
        // them (the message type's tag and the encoding's header) does not.
        const int LengthBytes = 4;
        if (start is null || !start.AsSpan(ProtocolLimits.FrameHeaderBytes, template.MessageAt - LengthBytes - ProtocolLimits.FrameHeaderBytes)
                .SequenceEqual(template.Frame.AsSpan(ProtocolLimits.FrameHeaderBytes, template.MessageAt - LengthBytes - ProtocolLimits.FrameHeaderBytes)))
            return false;
        noise.ReadSecondEphemeral(start.AsSpan(template.MessageAt, NoiseHandshake.DhBytes));
        return true;
    }

    /// <summary>A SecureAccept frame with an empty-payload message, and where that message begins.</summary>
    private sealed record AcceptFrameTemplate(byte[] Frame, int MessageAt);

    private static readonly Lazy<AcceptFrameTemplate> AcceptTemplate = new(() =>
    {
        var frame = SecureAcceptFrame(NoiseHandshake.DhBytes + CipherState.TagBytes, out int at);
        return new AcceptFrameTemplate(frame, at);
    });

    /// <summary>How many bytes of a SecureAccept frame hold the acceptor's key, and everything before it.</summary>
    private static int AcceptKeyEnd => AcceptTemplate.Value.MessageAt + NoiseHandshake.DhBytes;

    /// <summary>
    /// The acceptor's side of message 1: the dialer's <paramref name="hello"/> checked and its
    /// introduction read, or the refusal (sent to the dialer already, in plain text: the dialer
    /// has not shown it knows the cookie, or speaks another version).
    /// </summary>
    public static async Task<(Accepting? Accepting, AcceptOutcome? Refused)> ReadHelloAsync(ClusterConnection connection, SecureHello hello, byte[] cookie, CancellationToken ct)
    {
        if (hello.ProtocolVersion != ProtocolLimits.Version)
            return (null, await Handshake.RefuseAsync(connection, RefuseCode.Version, $"protocol version {hello.ProtocolVersion} is not supported (this node speaks {ProtocolLimits.Version})", ct).ConfigureAwait(false));
        if (!CipherChoices.IsKnown(hello.Cipher))
            return (null, await Handshake.RefuseAsync(connection, RefuseCode.Protocol, $"unknown cipher {hello.Cipher}", ct).ConfigureAwait(false));
        var noise = NoiseHandshake.Responder((CipherChoice)hello.Cipher, PreSharedKey(cookie), Prologue);
        byte[] payload;
        try
        {
            payload = noise.ReadFirst(hello.Message ?? []);
        }
        catch (AuthenticationException)
        {
            return (null, await Handshake.RefuseAsync(connection, RefuseCode.Authentication, "authentication failed: wrong cluster cookie", ct).ConfigureAwait(false));
        }
        // Authenticated under the pre-shared key, so only a cookie holder's bytes get decoded.
        var introduction = FrameCodec.Decode(new System.Buffers.ReadOnlySequence<byte>(payload));
        if (introduction is not IIntroduction intro)
            return (null, await Handshake.RefuseAsync(connection, RefuseCode.Protocol, $"expected a Hello or Join in the first message, got {introduction.GetType().Name}", ct).ConfigureAwait(false));
        return (new Accepting(noise, intro), null);
    }

    /// <summary>An acceptor's handshake between message 1 (read) and message 2 (to write).</summary>
    public sealed class Accepting(NoiseHandshake noise, IIntroduction introduction)
    {
        internal NoiseHandshake Noise { get; } = noise;

        public IIntroduction Introduction { get; } = introduction;
    }

    /// <summary>
    /// The acceptor's message 2, carrying <paramref name="answer"/> (the Challenge, or a Refuse:
    /// sealed, so its reason, which may quote the introduction, stays private); after it every
    /// frame is encrypted. Null, or the refusal when the dialer's key is unusable.
    /// The frame leaves in two writes: up to and including this side's ephemeral public key first,
    /// which needs no Diffie-Hellman, then the sealed rest once <c>ee</c> is computed. The dialer
    /// computes its <c>ee</c> as soon as the key arrives (<see cref="DialAsync"/>), so the two
    /// scalar multiplications of the exchange's second half run at the same time on the two
    /// machines rather than one after the other (measured: about a third of a millisecond of an
    /// `iridium exec`). The bytes on the wire are the same frame as in one write.
    /// </summary>
    public static async Task<AcceptOutcome?> AnswerAsync(ClusterConnection connection, Accepting accepting, IClusterMessage answer, CancellationToken ct)
    {
        var noise = accepting.Noise;
        // Taken only now that the first message has checked: a stranger costs no key.
        var ephemeral = EphemeralKeys.Take();
        EphemeralKeys.Prepare();
        var payload = Payload(answer);
        var frame = SecureAcceptFrame(NoiseHandshake.DhBytes + payload.Length + CipherState.TagBytes, out int messageAt);
        int keyEnd = messageAt + NoiseHandshake.DhBytes;
        noise.WriteSecondEphemeral(ephemeral).CopyTo(frame, messageAt);
        // The key is in the output from here on, even when its flush is cancelled (a connection
        // pushed out of the handshake budget): the frame's rest must follow it, and anything
        // written after that, such as the busy Refuse, sealed, or the dialer (which reads
        // SecureAccept and encrypts) cannot read it. A cancelled flush is rethrown once they are.
        connection.WriteFramed(frame.AsSpan(0, keyEnd));
        OperationCanceledException? pushedOut = null;
        try
        {
            await connection.WriteFramedAsync(ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException e)
        {
            pushedOut = e;
        }
        try
        {
            noise.WriteSecondRest(payload, frame.AsSpan(keyEnd));
        }
        catch (AuthenticationException e)
        {
            // Half a frame is out: no refusal can follow it, and the caller closes the connection.
            return Handshake.Rejected("the dialer's handshake failed: " + e.Message);
        }
        var keys = noise.Split();
        try
        {
            if (pushedOut is null) await connection.WriteFramedAsync(frame.AsMemory(keyEnd), ct).ConfigureAwait(false);
            else connection.WriteFramed(frame.AsSpan(keyEnd));
        }
        finally
        {
            connection.Encrypt(keys);
        }
        if (pushedOut is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(pushedOut);
        return null;
    }

    /// <summary>
    /// A <see cref="SecureAccept"/> frame whose Noise message of <paramref name="messageBytes"/> bytes
    /// is left to fill in, at <paramref name="messageAt"/>: the message is the frame's last field,
    /// so it is its tail, whatever the encoding puts before it.
    /// </summary>
    internal static byte[] SecureAcceptFrame(int messageBytes, out int messageAt)
    {
        var frame = FrameCodec.ToFrame(new SecureAccept { Message = new byte[messageBytes] });
        messageAt = frame.Length - messageBytes;
        return frame;
    }

    /// <summary>The pre-shared key of the cookie last used, and that cookie (the same array: a node's never changes).</summary>
    private sealed record DerivedKey(byte[] Cookie, byte[] Key);

    private static DerivedKey? _lastKey;

    /// <summary>
    /// The cookie's pre-shared key (<see cref="CookieKey"/>), derived once for a node's cookie
    /// rather than for every handshake: an HKDF, about a quarter of what reading a first message costs.
    /// </summary>
    private static byte[] PreSharedKey(byte[] cookie)
    {
        var last = Volatile.Read(ref _lastKey);
        if (last is not null && ReferenceEquals(last.Cookie, cookie)) return last.Key;
        var key = CookieKey.PreSharedKey(cookie);
        Volatile.Write(ref _lastKey, new DerivedKey(cookie, key));
        return key;
    }

    /// <summary>A handshake message as a Noise payload: its frame's payload (the framing is the Noise message's own).</summary>
    private static byte[] Payload(IClusterMessage message) => FrameCodec.ToFrame(message)[ProtocolLimits.FrameHeaderBytes..];
}
