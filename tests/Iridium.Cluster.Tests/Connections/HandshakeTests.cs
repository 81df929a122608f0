using System.Buffers.Binary;
using System.Text;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Connections;

/// <summary>The handshake and every way it can fail, over in-memory pipes (no sockets).</summary>
public class HandshakeTests
{
    private static readonly byte[] Cookie = Encoding.UTF8.GetBytes("secret");
    private static readonly LocalIdentity Dialer = new(Guid.NewGuid(), "dialer", "", 3001);
    private static readonly LocalIdentity Acceptor = new(Guid.NewGuid(), "acceptor", "10.9.9.9", 3000);

    private static (ClusterConnection Dialer, ClusterConnection Acceptor, PipeTransport DialerEnd) Pair()
    {
        var (d, a) = PipeTransport.CreatePair();
        return (new ClusterConnection(d, true, 1 << 20), new ClusterConnection(a, false, 1 << 20), d);
    }

    /// <summary>
    /// The dialer's side of the key exchange, done right, carrying the introduction a test chooses;
    /// the acceptor's answer, which came inside the key exchange's second message.
    /// </summary>
    private static async Task<IClusterMessage?> IntroducedAsync(ClusterConnection dialer, IIntroduction introduction)
    {
        var (answer, failure) = await ChannelEncryption.DialAsync(dialer, ChannelEncryption.Open(Cookie, introduction), Soon);
        Assert.Null(failure);
        Assert.True(dialer.IsEncrypted);
        return answer;
    }

    private static CancellationToken Soon => new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token;

    private static Admission AcceptAll(PeerIdentity peer, ConnectionRole role, bool wantsMembers)
        => Admission.Accept(wantsMembers ? [new MemberRecord { NodeId = Guid.NewGuid(), Alias = "third", Host = "10.0.0.3", Port = 3003 }] : null);

    [Fact]
    public async Task BothSidesLearnEachOtherAndTheJoinerGetsTheMemberList()
    {
        var (dialer, acceptor, _) = Pair();
        PeerIdentity? admitted = null;
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, (p, r, w) => { admitted = p; return AcceptAll(p, r, w); }, Soon);
        var dialed = await Handshake.DialAsync(dialer, Dialer, Cookie, wantMembers: true, ConnectionRole.Node, Soon);
        var accepted = await accepting;

        Assert.True(dialed.Success, dialed.Message);
        Assert.True(accepted.Success, accepted.Message);
        Assert.Equal(new PeerIdentity(Acceptor.NodeId, "acceptor", "10.9.9.9", 3000), dialed.Peer);
        // The dialer advertised no host: the acceptor uses the address it sees.
        Assert.Equal(new PeerIdentity(Dialer.NodeId, "dialer", "10.0.0.1", 3001), admitted);
        Assert.Equal("third", Assert.Single(dialed.Members!).Alias);
        Assert.Equal(Dialer.NodeId, dialer.DialerId);
        Assert.Equal(Dialer.NodeId, acceptor.DialerId);
        Assert.Equal(dialer.DialerNonce, acceptor.DialerNonce);
    }

    [Fact]
    public async Task AJoinGetsNoMemberList()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        var dialed = await Handshake.DialAsync(dialer, Dialer, Cookie, wantMembers: false, ConnectionRole.Node, Soon);
        Assert.True((await accepting).Success);
        Assert.Empty(dialed.Members!);
    }

    [Fact]
    public async Task ADialerWithTheWrongCookieIsRefusedAndNotAdmitted()
    {
        var (dialer, acceptor, _) = Pair();
        bool admitCalled = false;
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, (p, r, w) => { admitCalled = true; return AcceptAll(p, r, w); }, Soon);
        // The dialer rejects the acceptor's proof first (it cannot verify it) and stops.
        var dialed = await Handshake.DialAsync(dialer, Dialer, "wrong"u8.ToArray(), true, ConnectionRole.Node, Soon);
        dialer.Close(CloseReason.Done, "gave up");
        var accepted = await accepting;

        Assert.False(dialed.Success);
        Assert.Equal(RefuseCode.Authentication, dialed.Refusal);
        Assert.False(accepted.Success);
        Assert.False(admitCalled);
    }

    [Fact]
    public async Task AForgedProofIsRefusedWithAReason()
    {
        var (dialer, acceptor, _) = Pair();
        bool admitCalled = false;
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, (p, r, w) => { admitCalled = true; return AcceptAll(p, r, w); }, Soon);
        Assert.IsType<Challenge>(await IntroducedAsync(dialer, new Hello { ProtocolVersion = ProtocolLimits.Version, NodeId = Guid.NewGuid(), Alias = "mallory", AdvertisedPort = 1, Nonce = new byte[32] }));
        await dialer.WriteAsync(new Proof { Mac = new byte[32] }, Soon);
        var verdict = Assert.IsType<Refuse>(await dialer.ReadAsync(Soon));
        var accepted = await accepting;

        Assert.Equal(RefuseCode.Authentication, verdict.Code);
        Assert.Contains("cookie", accepted.Message);
        Assert.False(admitCalled);
    }

    [Fact]
    public async Task AReplayedProofFailsBecauseTheAcceptorNonceIsFresh()
    {
        // Record a proof from a real handshake, then replay it in a new one.
        var (d1, a1, _) = Pair();
        var first = Handshake.AcceptAsync(a1, Acceptor, Cookie, AcceptAll, Soon);
        await Handshake.DialAsync(d1, Dialer, Cookie, true, ConnectionRole.Node, Soon);
        await first;
        var mac = Iridium.Cluster.Security.HandshakeAuth.DialerMac(Cookie, d1.DialerNonce, new byte[32], Dialer.NodeId, Acceptor.NodeId);

        var (d2, a2, _) = Pair();
        var second = Handshake.AcceptAsync(a2, Acceptor, Cookie, AcceptAll, Soon);
        Assert.IsType<Challenge>(await IntroducedAsync(d2, new Hello { ProtocolVersion = ProtocolLimits.Version, NodeId = Dialer.NodeId, Alias = "dialer", AdvertisedPort = 1, Nonce = d1.DialerNonce }));
        await d2.WriteAsync(new Proof { Mac = mac }, Soon);
        Assert.IsType<Refuse>(await d2.ReadAsync(Soon));
        Assert.False((await second).Success);
    }

    [Fact]
    public async Task AnotherProtocolVersionIsRefusedWithAReason()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        await dialer.WriteAsync(new Hello { ProtocolVersion = 99, NodeId = Guid.NewGuid(), Alias = "future", AdvertisedPort = 1, Nonce = new byte[32] }, Soon);
        var refuse = Assert.IsType<Refuse>(await dialer.ReadAsync(Soon));
        var accepted = await accepting;
        Assert.Equal(RefuseCode.Version, refuse.Code);
        Assert.Contains("version 99", accepted.Message);
    }

    [Fact]
    public async Task AnAdmissionRefusalReachesTheDialer()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, (_, _, _) => Admission.Refuse(RefuseCode.AliasTaken, "alias 'dialer' is already used by live node X"), Soon);
        var dialed = await Handshake.DialAsync(dialer, Dialer, Cookie, true, ConnectionRole.Node, Soon);
        await accepting;
        Assert.False(dialed.Success);
        Assert.Equal(RefuseCode.AliasTaken, dialed.Refusal);
        Assert.Contains("already used", dialed.Message);
    }

    [Fact]
    public async Task AClientIsMarkedInTheHandshake()
    {
        var (dialer, acceptor, _) = Pair();
        ConnectionRole? role = null;
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, (p, r, w) => { role = r; return Admission.Accept(null); }, Soon);
        var client = new LocalIdentity(Guid.NewGuid(), "client", "", 0);
        var dialed = await Handshake.DialAsync(dialer, client, Cookie, false, ConnectionRole.Client, Soon);
        await accepting;
        Assert.True(dialed.Success);
        Assert.Equal(ConnectionRole.Client, role);
    }

    [Fact]
    public async Task ASilentDialerTimesOut()
    {
        var (_, acceptor, _) = Pair();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, timeout.Token));
    }

    [Fact]
    public async Task AnOversizedHandshakeFrameIsRejectedUnderTheSmallPreAuthenticationCap()
    {
        var (_, acceptor, dialerEnd) = Pair();
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, ProtocolLimits.HandshakeFrameBytes + 1);
        await dialerEnd.Output.WriteAsync(header);
        await Assert.ThrowsAsync<ProtocolException>(() => Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon));
    }

    [Fact]
    public async Task GarbageInsteadOfHelloIsAProtocolError()
    {
        var (_, acceptor, dialerEnd) = Pair();
        await dialerEnd.Output.WriteAsync(new byte[] { 3, 0, 0, 0, 0xEE, 0xEE, 0xEE });
        await Assert.ThrowsAsync<ProtocolException>(() => Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon));
    }

    [Fact]
    public async Task AnyOtherFirstMessageIsRefused()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        await dialer.WriteAsync(new Heartbeat(), Soon);
        var outcome = await accepting;
        Assert.False(outcome.Success);
        Assert.Contains("expected SecureHello", outcome.Message);
    }

    [Theory]
    [InlineData("", 1, 32)]
    [InlineData("ok", 0, 32)]
    [InlineData("ok", 70000, 32)]
    [InlineData("ok", 1, 5)]
    public async Task InvalidIntroductionFieldsAreRefused(string alias, int port, int nonceLength)
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        // The refusal comes sealed inside the key exchange's second message (IntroducedAsync checks the encryption).
        var answer = await IntroducedAsync(dialer, new Join { ProtocolVersion = ProtocolLimits.Version, NodeId = Guid.NewGuid(), Alias = alias, AdvertisedPort = port, Nonce = new byte[nonceLength] });
        Assert.Equal(RefuseCode.Protocol, Assert.IsType<Refuse>(answer).Code);
        Assert.Contains("invalid introduction", (await accepting).Message);
    }

    [Fact]
    public async Task EveryFrameAfterTheKeyExchangeIsEncryptedBothWays()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        var dialed = await Handshake.DialAsync(dialer, Dialer, Cookie, wantMembers: true, ConnectionRole.Node, Soon);
        Assert.True(dialed.Success, dialed.Message);
        Assert.True((await accepting).Success);
        Assert.True(dialer.IsEncrypted);
        Assert.True(acceptor.IsEncrypted);
    }

    [Fact]
    public async Task AnIntroductionOfThisVersionInPlainTextIsRefused()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon, allowPlaintextPeers: true);
        await dialer.WriteAsync(new Join { ProtocolVersion = ProtocolLimits.Version, NodeId = Guid.NewGuid(), Alias = "stripped", AdvertisedPort = 1, Nonce = new byte[32] }, Soon);
        Assert.Equal(RefuseCode.Version, Assert.IsType<Refuse>(await dialer.ReadAsync(Soon)).Code);
        Assert.Contains("encrypted", (await accepting).Message);
    }

    [Fact]
    public async Task ANodeOfTheOlderPlainTextProtocolIsRefusedAndToldWhy()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        var dialed = await Handshake.DialAsync(dialer, Dialer, Cookie, wantMembers: true, ConnectionRole.Node, Soon, plaintext: true);
        var accepted = await accepting;
        Assert.False(dialed.Success);
        Assert.Equal(RefuseCode.Version, dialed.Refusal);
        Assert.Contains("--allow-plaintext-peers", dialed.Message);
        Assert.Contains("older iridium", accepted.Message);
    }

    [Fact]
    public async Task ANodeOfTheOlderPlainTextProtocolIsAdmittedInPlainTextWhenAllowed()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon, allowPlaintextPeers: true);
        var dialed = await Handshake.DialAsync(dialer, Dialer, Cookie, wantMembers: true, ConnectionRole.Node, Soon, plaintext: true);
        var accepted = await accepting;
        Assert.True(dialed.Success, dialed.Message);
        Assert.True(accepted.Success, accepted.Message);
        Assert.True(accepted.Plaintext);
        Assert.False(acceptor.IsEncrypted);
    }

    [Fact]
    public async Task ADialerWithTheWrongCookieIsRefusedAtTheKeyExchangeBeforeAnyOtherFrame()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        var (answer, refused) = await ChannelEncryption.DialAsync(dialer, ChannelEncryption.Open("wrong"u8.ToArray(), Handshake.Introduction(Dialer, wantMembers: false, ConnectionRole.Node)), Soon);
        Assert.Null(answer);
        Assert.Equal(RefuseCode.Authentication, refused!.Refusal);
        Assert.False(dialer.IsEncrypted);
        Assert.False(acceptor.IsEncrypted);
        Assert.Contains("cookie", (await accepting).Message);
    }

    [Fact]
    public async Task TheIntroductionAndTheChallengeRideInTheKeyExchangeSoTheHandshakeTakesTwoRoundTrips()
    {
        var (dialer, acceptor, _) = Pair();
        PeerIdentity? admitted = null;
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, (p, r, w) => { admitted = p; return AcceptAll(p, r, w); }, Soon);
        var hello = (Hello)Handshake.Introduction(Dialer, wantMembers: true, ConnectionRole.Node);

        // Round trip 1: SecureHello (with the Hello) out, SecureAccept (with the Challenge) back: one frame each way.
        var challenge = Assert.IsType<Challenge>(await IntroducedAsync(dialer, hello));
        Assert.Equal(Acceptor.NodeId, challenge.NodeId);
        Assert.True(Iridium.Cluster.Security.HandshakeAuth.VerifyAcceptor(Cookie, hello.Nonce!, challenge.Nonce!, Dialer.NodeId, Acceptor.NodeId, challenge.Mac));
        // Round trip 2: Proof out, HelloAck back, both sealed.
        await dialer.WriteAsync(new Proof { Mac = Iridium.Cluster.Security.HandshakeAuth.DialerMac(Cookie, hello.Nonce!, challenge.Nonce!, Dialer.NodeId, Acceptor.NodeId) }, Soon);
        var ack = Assert.IsType<HelloAck>(await dialer.ReadAsync(Soon));

        Assert.True((await accepting).Success);
        Assert.Equal("third", Assert.Single(ack.Members!).Alias);
        Assert.Equal("dialer", admitted!.Alias);
        Assert.True(acceptor.IsEncrypted);
    }

    [Fact]
    public async Task AKeyExchangeOfTheVersionBeforeIsRefusedWithAReason()
    {
        // A node of version 3 sent an empty Noise payload and its Hello afterwards: refused at the first message, in plain text.
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        var older = ChannelEncryption.Open(Cookie, Handshake.Introduction(Dialer, wantMembers: true, ConnectionRole.Node)).Hello;
        older.ProtocolVersion = ProtocolLimits.Version - 1;
        await dialer.WriteAsync(older, Soon);
        var refuse = Assert.IsType<Refuse>(await dialer.ReadAsync(Soon));
        Assert.Equal(RefuseCode.Version, refuse.Code);
        Assert.Contains($"protocol version {ProtocolLimits.Version - 1} is not supported", (await accepting).Message);
        Assert.False(acceptor.IsEncrypted);
    }

    [Fact]
    public async Task AKeyExchangeCarryingSomethingElseThanAnIntroductionIsRefused()
    {
        var (dialer, acceptor, _) = Pair();
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        var noise = Iridium.Crypto.NoiseHandshake.Initiator(Iridium.Crypto.CipherChoices.Preferred, Iridium.Crypto.CookieKey.PreSharedKey(Cookie), "iridium cluster v2"u8);
        var payload = FrameCodec.ToFrame(new Heartbeat())[ProtocolLimits.FrameHeaderBytes..];
        await dialer.WriteAsync(new SecureHello { ProtocolVersion = ProtocolLimits.Version, Cipher = (byte)noise.Cipher, Message = noise.WriteFirst(payload) }, Soon);
        Assert.Equal(RefuseCode.Protocol, Assert.IsType<Refuse>(await dialer.ReadAsync(Soon)).Code);
        Assert.Contains("expected a Hello or Join", (await accepting).Message);
    }

    [Fact]
    public async Task TheAcceptorsKeyLeavesAheadOfTheRestOfItsSecondMessage()
    {
        // So the dialer's Diffie-Hellman runs while the acceptor computes its own.
        var (d, a) = PipeTransport.CreatePair();
        var recording = new FlushRecordingTransport(a);
        var dialer = new ClusterConnection(d, true, 1 << 20);
        var acceptor = new ClusterConnection(recording, false, 1 << 20);
        var accepting = Handshake.AcceptAsync(acceptor, Acceptor, Cookie, AcceptAll, Soon);
        var dialed = await Handshake.DialAsync(dialer, Dialer, Cookie, wantMembers: false, ConnectionRole.Node, Soon);
        Assert.True(dialed.Success, dialed.Message);
        Assert.True((await accepting).Success);

        ChannelEncryption.SecureAcceptFrame(Iridium.Crypto.NoiseHandshake.DhBytes + Iridium.Crypto.CipherState.TagBytes, out int messageAt);
        // SecureAccept in two flushes (the first ending with the key), then the sealed HelloAck.
        Assert.Equal(3, recording.Flushes.Count);
        Assert.Equal(messageAt + Iridium.Crypto.NoiseHandshake.DhBytes, recording.Flushes[0]);
        Assert.True(recording.Flushes[1] > Iridium.Crypto.CipherState.TagBytes);
    }

    [Fact]
    public async Task ADialerThatGetsTheAcceptorsKeyAndThenTheEndOfTheStreamReportsItAndDoesNotHang()
    {
        var (dialer, acceptor, _) = Pair();
        var dialing = ChannelEncryption.DialAsync(dialer, ChannelEncryption.Open(Cookie, Handshake.Introduction(Dialer, wantMembers: false, ConnectionRole.Node)), Soon);
        var hello = Assert.IsType<SecureHello>(await acceptor.ReadAsync(Soon));
        var (read, refused) = await ChannelEncryption.ReadHelloAsync(acceptor, hello, Cookie, Soon);
        Assert.Null(refused);
        var frame = ChannelEncryption.SecureAcceptFrame(Iridium.Crypto.NoiseHandshake.DhBytes + Iridium.Crypto.CipherState.TagBytes, out int at);
        read!.Noise.WriteSecondEphemeral().CopyTo(frame, at);
        await acceptor.WriteFramedAsync(frame.AsMemory(0, at + Iridium.Crypto.NoiseHandshake.DhBytes), Soon);
        acceptor.Close(CloseReason.Done, "test: gone after the key");

        var (answer, failure) = await dialing;
        Assert.Null(answer);
        Assert.NotNull(failure);
        Assert.False(failure.Success);
        Assert.False(dialer.IsEncrypted);
    }
}
