using System.Net.Sockets;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Security;
using Iridium.Crypto;

namespace Iridium.Cluster.Connections;

/// <summary>What the acceptor decided about an authenticated dialer.</summary>
internal readonly record struct Admission(RefuseCode? Refusal, string? Reason, List<MemberRecord>? Members)
{
    public static Admission Accept(List<MemberRecord>? members) => new(null, null, members);

    public static Admission Refuse(RefuseCode code, string reason) => new(code, reason, null);
}

/// <summary>
/// How far an acceptor's handshake has come, for the admission budget to choose whom to push out:
/// a connection that has proven itself is completing and is never pushed out for a newcomer.
/// Written by the handshake, read (without a lock, and without blocking: a look at the socket's
/// receive buffer) by <see cref="Iridium.Net.PreAuthBudget"/> under its lock.
/// </summary>
internal sealed class HandshakeProgress(Socket? socket = null)
{
    private const int Silent = 0, Waiting = 1, Answering = 2;
    private volatile int _stage;

    /// <summary>
    /// The shortest first frame a correct dialer sends: a SecureHello with its Noise message, which
    /// carries at least a Join with a one-letter alias and no host. A
    /// connection with this much waiting in its receive buffer has sent its whole first message,
    /// which the node has not read yet (under a flood that can take a moment): it is answering,
    /// not stalled. Less than this and nothing more is a slow sender (partial).
    /// </summary>
    private static readonly int FirstFrameBytes = FrameCodec.ToFrame(new SecureHello
    {
        Message = new byte[NoiseHandshake.FirstMessageBytes + FrameCodec.ToFrame(new Join { Alias = "a", Nonce = new byte[ProtocolLimits.NonceBytes] }).Length - ProtocolLimits.FrameHeaderBytes],
    }).Length;

    /// <summary>
    /// The first frame (a SecureHello) has been read: it is checked against the cookie (a few
    /// hashes), and from then on the dialer has shown it knows the cookie (short of replaying a
    /// recorded first message, which still ends at the handshake's deadline), so junk from the same
    /// address never pushes it out. A stranger's frame fails the check and its handshake ends.
    /// </summary>
    public void FirstMessageRead() => _stage = Answering;

    /// <summary>The introduction arrived and the challenge went out (plain-text peers of protocol 1): the dialer's proof may be on its way.</summary>
    public void Challenged() => _stage = Math.Max(_stage, Waiting);

    /// <summary>The proof arrived: the handshake ends without waiting for the dialer again.</summary>
    public void Proven() => _stage = Answering;

    public Iridium.Net.LoginActivity Activity => _stage switch
    {
        Silent => FirstFrameWaiting(),
        Waiting => Iridium.Net.LoginActivity.Waiting,
        _ => Iridium.Net.LoginActivity.Answering,
    };

    private Iridium.Net.LoginActivity FirstFrameWaiting()
    {
        int waiting;
        try
        {
            waiting = socket?.Available ?? 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return Iridium.Net.LoginActivity.Silent;
        }
        return waiting >= FirstFrameBytes ? Iridium.Net.LoginActivity.Answering
            : waiting > 0 ? Iridium.Net.LoginActivity.Partial
            : Iridium.Net.LoginActivity.Silent;
    }
}

/// <summary>
/// How a dialer's handshake ended. On success <see cref="Peer"/> is set, and <see cref="Members"/>
/// when it sent a Hello. <see cref="PeerMayBeOlder"/>: the peer hung up on the encrypted
/// handshake, as a build of protocol 1 does.
/// </summary>
internal sealed record DialOutcome(bool Success, RefuseCode? Refusal, string Message, PeerIdentity? Peer, List<MemberRecord>? Members)
{
    public bool PeerMayBeOlder { get; init; }
}

/// <summary>
/// How an acceptor's handshake ended. On failure <see cref="Refusal"/> says what kind, and
/// <see cref="Junk"/> marks a stranger that never introduced itself (closed, or sent something
/// else first): scanners and floods, counted rather than logged one by one.
/// </summary>
internal sealed record AcceptOutcome(bool Success, string Message, PeerIdentity? Peer, ConnectionRole Role, RefuseCode? Refusal = null, bool Junk = false)
{
    /// <summary>Admitted without encryption: a node of protocol 1, with --allow-plaintext-peers.</summary>
    public bool Plaintext { get; init; }
}

/// <summary>
/// The handshake every connection starts with. Its first half travels as the payloads of the
/// key exchange (<see cref="ChannelEncryption"/>), the rest encrypted:
/// <code>
/// dialer   → Hello | Join   version, node id, alias, advertised host:port, nonce, role   (in Noise message 1)
/// acceptor → Challenge      version, node id, alias, advertised host:port, nonce, acceptor MAC   (in Noise message 2)
/// dialer   → Proof          dialer MAC          (only after checking the acceptor's MAC; a client's first requests may follow at once)
/// acceptor → HelloAck       member list for a Hello, empty for a Join   (or Refuse: why)
/// </code>
/// With a node of protocol 1 (<c>--allow-plaintext-peers</c>) the same four frames go in plain
/// text, with no key exchange. Nothing is recorded unless both MACs check and the acceptor admits
/// the dialer. Timeouts are the caller's (cancel <c>ct</c>); any failure leaves the connection for
/// the caller to close.
/// </summary>
internal static class Handshake
{
    /// <summary>What a dialer introduces itself with: a Hello asks for the acceptor's members, a Join does not.</summary>
    public static IIntroduction Introduction(LocalIdentity self, bool wantMembers, ConnectionRole role, int version = ProtocolLimits.Version)
    {
        byte[] nonce = HandshakeAuth.NewNonce();
        return wantMembers
            ? new Hello { ProtocolVersion = version, NodeId = self.NodeId, Alias = self.Alias, AdvertisedHost = self.AdvertisedHost, AdvertisedPort = self.AdvertisedPort, Nonce = nonce, Role = role }
            : new Join { ProtocolVersion = version, NodeId = self.NodeId, Alias = self.Alias, AdvertisedHost = self.AdvertisedHost, AdvertisedPort = self.AdvertisedPort, Nonce = nonce, Role = role };
    }

    /// <summary>The dialer's first message with its introduction, made before connecting (<see cref="ChannelEncryption.Opening"/>).</summary>
    public static ChannelEncryption.Opening Open(LocalIdentity self, byte[] cookie, bool wantMembers, ConnectionRole role, bool byNode = false)
        => ChannelEncryption.Open(cookie, Introduction(self, wantMembers, role), byNode);

    /// <summary>
    /// Runs the dialer's side: introduce (inside the key exchange), verify the acceptor, prove,
    /// await the verdict. With <paramref name="plaintext"/> (a peer of protocol 1, with
    /// --allow-plaintext-peers) it speaks protocol 1: nothing is encrypted. <paramref name="opening"/>:
    /// the first message, made before connecting (made here when not given).
    /// <paramref name="behindProof"/>: a client's first requests, made from the acceptor's alias
    /// once its Challenge has checked, and written in the same flush as the Proof, so that they
    /// do not wait a round trip for the HelloAck. The acceptor reads them only once it has
    /// admitted the dialer (its read loop starts after the HelloAck); a refused handshake, a
    /// busy one included, closes the connection with them unread, so the caller may send them
    /// again on a new connection and nothing runs twice.
    /// </summary>
    public static async Task<DialOutcome> DialAsync(ClusterConnection connection, LocalIdentity self, byte[] cookie, bool wantMembers, ConnectionRole role, CancellationToken ct, bool plaintext = false, ChannelEncryption.Opening? opening = null,
        Func<string, IReadOnlyList<IClusterMessage>>? behindProof = null)
    {
        IIntroduction intro;
        IClusterMessage? reply;
        if (plaintext)
        {
            intro = Introduction(self, wantMembers, role, ProtocolLimits.PlaintextVersion);
            await connection.WriteAsync(intro, ct).ConfigureAwait(false);
            reply = await connection.ReadAsync(ct).ConfigureAwait(false);
        }
        else
        {
            opening ??= Open(self, cookie, wantMembers, role);
            intro = opening.Introduction;
            (reply, var failure) = await ChannelEncryption.DialAsync(connection, opening, ct).ConfigureAwait(false);
            if (failure is not null) return failure;
        }
        int version = intro.ProtocolVersion;
        byte[] nonce = intro.Nonce!;
        if (reply is Refuse early) return Refused(early);
        if (reply is not Challenge challenge) return Failed(reply is null ? "connection closed during the handshake" : $"expected Challenge, got {reply.GetType().Name}");
        if (challenge.ProtocolVersion != version) return Failed($"peer speaks protocol version {challenge.ProtocolVersion}, this node {version}", RefuseCode.Version);
        string? invalid = IntroductionRules.Check(challenge.NodeId, challenge.Alias, challenge.AdvertisedHost, challenge.AdvertisedPort, challenge.Nonce, ConnectionRole.Node);
        if (invalid is not null) return Failed("invalid Challenge: " + invalid);
        if (!HandshakeAuth.VerifyAcceptor(cookie, nonce, challenge.Nonce!, self.NodeId, challenge.NodeId, challenge.Mac))
            return Failed("authentication failed: the peer does not know the cluster cookie", RefuseCode.Authentication);

        var proof = new Proof { Mac = HandshakeAuth.DialerMac(cookie, nonce, challenge.Nonce!, self.NodeId, challenge.NodeId) };
        await connection.WriteAsync(proof, behindProof?.Invoke(challenge.Alias!) ?? [], ct).ConfigureAwait(false);

        var verdict = await connection.ReadAsync(ct).ConfigureAwait(false);
        if (verdict is Refuse refuse) return Refused(refuse);
        if (verdict is not HelloAck ack) return Failed(verdict is null ? "connection closed during the handshake (wrong cookie?)" : $"expected HelloAck, got {verdict.GetType().Name}");
        if (ack.Members is { Count: > ProtocolLimits.MaxMembers }) return Failed("member list too long");

        string host = HostPort.IsUnspecified(challenge.AdvertisedHost) ? connection.RemoteHost : challenge.AdvertisedHost!;
        var peer = new PeerIdentity(challenge.NodeId, challenge.Alias!, host, challenge.AdvertisedPort);
        connection.PeerId = peer.NodeId;
        connection.DialerId = self.NodeId;
        connection.DialerNonce = nonce;
        return new DialOutcome(true, null, "connected", peer, ack.Members ?? []);
    }

    /// <summary>
    /// Runs the acceptor's side. <paramref name="admit"/> is called once the dialer is authenticated;
    /// it decides (and records) before the verdict is sent, so the dialer never hears "accepted"
    /// for a connection the acceptor does not hold. A dialer of protocol 1 (an older build, no
    /// encryption) is refused, unless <paramref name="allowPlaintextPeers"/>: then its handshake
    /// goes on in plain text, and the outcome says so.
    /// </summary>
    public static async Task<AcceptOutcome> AcceptAsync(ClusterConnection connection, LocalIdentity self, byte[] cookie, Func<PeerIdentity, ConnectionRole, bool, Admission> admit, CancellationToken ct, HandshakeProgress? progress = null, bool allowPlaintextPeers = false)
    {
        var first = await connection.ReadAsync(ct).ConfigureAwait(false);
        // Off the socket engine's thread, where a node's reads complete (SocketCompletions): the
        // key exchange that follows costs real arithmetic, and a stranger may ask for it. A first
        // frame that was there already completed the read on the pool thread the handshake began
        // on (a client sends it the moment it connects): no hand-off then.
        if (!Thread.CurrentThread.IsThreadPoolThread) await Task.Yield();
        ChannelEncryption.Accepting? accepting = null;
        if (first is SecureHello hello)
        {
            progress?.FirstMessageRead();
            var (read, refused) = await ChannelEncryption.ReadHelloAsync(connection, hello, cookie, ct).ConfigureAwait(false);
            if (refused is not null) return refused;
            accepting = read!;
            first = accepting.Introduction;
        }
        else if (first is IIntroduction { ProtocolVersion: ProtocolLimits.PlaintextVersion } && !allowPlaintextPeers)
        {
            return await RefuseAsync(connection, RefuseCode.Version, $"protocol version {ProtocolLimits.PlaintextVersion} (an older iridium, no encryption) is not admitted: this node (protocol {ProtocolLimits.Version}) encrypts every connection; upgrade the peer, or start this node with --allow-plaintext-peers for a rolling upgrade", ct).ConfigureAwait(false);
        }
        if (first is not IIntroduction intro)
            return new AcceptOutcome(false, first is null ? "closed before introducing itself" : $"expected SecureHello, Hello or Join, got {first.GetType().Name}", null, ConnectionRole.Node, RefuseCode.Protocol, Junk: true);
        bool plaintext = accepting is null;
        int version = plaintext ? ProtocolLimits.PlaintextVersion : ProtocolLimits.Version;
        // A Hello of the encrypted protocol in plain text is refused too: encryption is not optional.
        if (intro.ProtocolVersion != version)
            return await AnswerAsync(connection, accepting, new Refuse { Code = RefuseCode.Version, Reason = $"protocol version {intro.ProtocolVersion} is not supported (this node speaks {ProtocolLimits.Version}, encrypted)" }, ct).ConfigureAwait(false);
        string? invalid = IntroductionRules.Check(intro.NodeId, intro.Alias, intro.AdvertisedHost, intro.AdvertisedPort, intro.Nonce, intro.Role);
        if (invalid is not null)
        {
            await AnswerAsync(connection, accepting, new Refuse { Code = RefuseCode.Protocol, Reason = invalid }, ct).ConfigureAwait(false);
            return Rejected("invalid introduction: " + invalid);
        }

        byte[] nonce = HandshakeAuth.NewNonce();
        var challenge = new Challenge
        {
            ProtocolVersion = version,
            NodeId = self.NodeId,
            Alias = self.Alias,
            AdvertisedHost = self.AdvertisedHost,
            AdvertisedPort = self.AdvertisedPort,
            Nonce = nonce,
            Mac = HandshakeAuth.AcceptorMac(cookie, intro.Nonce!, nonce, intro.NodeId, self.NodeId),
        };
        if (accepting is null) await connection.WriteAsync(challenge, ct).ConfigureAwait(false);
        else if (await ChannelEncryption.AnswerAsync(connection, accepting, challenge, ct).ConfigureAwait(false) is { } unusable) return unusable;
        progress?.Challenged();

        var second = await connection.ReadAsync(ct).ConfigureAwait(false);
        if (second is Proof) progress?.Proven();
        if (second is not Proof proof) return Rejected(second is null ? "closed during the handshake (it does not know the cookie?)" : $"expected Proof, got {second.GetType().Name}");
        if (!HandshakeAuth.VerifyDialer(cookie, intro.Nonce!, nonce, intro.NodeId, self.NodeId, proof.Mac))
        {
            const string why = "authentication failed: wrong cluster cookie";
            await TryRefuseAsync(connection, RefuseCode.Authentication, why, ct).ConfigureAwait(false);
            return Rejected(why, RefuseCode.Authentication);
        }

        string host = HostPort.IsUnspecified(intro.AdvertisedHost) ? connection.RemoteHost : intro.AdvertisedHost!;
        var peer = new PeerIdentity(intro.NodeId, intro.Alias!, host, intro.AdvertisedPort);
        connection.PeerId = peer.NodeId;
        connection.DialerId = peer.NodeId;
        connection.DialerNonce = intro.Nonce!;
        var admission = admit(peer, intro.Role, intro is Hello);
        if (admission.Refusal is { } code)
        {
            await TryRefuseAsync(connection, code, admission.Reason ?? code.ToString(), ct).ConfigureAwait(false);
            return new AcceptOutcome(false, admission.Reason ?? code.ToString(), peer, intro.Role, code);
        }
        await connection.WriteAsync(new HelloAck { Members = admission.Members ?? [] }, ct).ConfigureAwait(false);
        return new AcceptOutcome(true, "accepted", peer, intro.Role) { Plaintext = plaintext };
    }

    /// <summary>
    /// Refuses an introduction: inside message 2 when it came inside message 1 (<paramref name="accepting"/>),
    /// else as a plain frame. The outcome to return.
    /// </summary>
    private static async Task<AcceptOutcome> AnswerAsync(ClusterConnection connection, ChannelEncryption.Accepting? accepting, Refuse refuse, CancellationToken ct)
    {
        if (accepting is null) return await RefuseAsync(connection, refuse.Code, refuse.Reason!, ct).ConfigureAwait(false);
        try
        {
            if (await ChannelEncryption.AnswerAsync(connection, accepting, refuse, ct).ConfigureAwait(false) is { } unusable) return unusable;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The refusal is a courtesy; the caller closes the connection either way.
        }
        return Rejected(refuse.Reason!, refuse.Code);
    }

    /// <summary>Tells the dialer why it is refused; the outcome to return.</summary>
    internal static async Task<AcceptOutcome> RefuseAsync(ClusterConnection connection, RefuseCode code, string why, CancellationToken ct)
    {
        await TryRefuseAsync(connection, code, why, ct).ConfigureAwait(false);
        return Rejected(why, code);
    }

    /// <summary>Writes a <see cref="Refuse"/> if the connection still takes it; never throws for network trouble.</summary>
    public static async Task TryRefuseAsync(ClusterConnection connection, RefuseCode code, string reason, CancellationToken ct)
    {
        try
        {
            await connection.WriteAsync(new Refuse { Code = code, Reason = reason }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The refusal is a courtesy; the caller closes the connection either way.
        }
    }

    /// <summary>
    /// The peer's refusal as the dialer reports it. A refused cookie reads "authentication
    /// failed: ..." as it did when the dialer found out itself: since encryption the acceptor
    /// refuses it at the first message, before the dialer can.
    /// </summary>
    internal static DialOutcome Refused(Refuse refuse)
    {
        string reason = refuse.Reason ?? refuse.Code.ToString();
        bool cookie = refuse.Code == RefuseCode.Authentication && reason.StartsWith("authentication failed", StringComparison.Ordinal);
        return new(false, refuse.Code, cookie ? reason : "refused: " + reason, null, null);
    }

    internal static DialOutcome Failed(string message, RefuseCode? code = RefuseCode.Protocol) => new(false, code, message, null, null);

    internal static AcceptOutcome Rejected(string message, RefuseCode code = RefuseCode.Protocol) => new(false, message, null, ConnectionRole.Node, code);
}
