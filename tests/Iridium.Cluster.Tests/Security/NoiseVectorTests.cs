using System.Buffers;
using Iridium.Crypto;

namespace Iridium.Cluster.Tests.Security;

/// <summary>
/// The Noise handshake and transport against the published cacophony test vectors (the file
/// tests/vectors/cacophony.txt of the snow and cacophony projects): prologue "John Galt", the
/// pre-shared key, both ephemeral keys, two handshake messages, four transport messages
/// alternating direction, and the handshake hash, for both ciphers a connection may use.
/// </summary>
public class NoiseVectorTests
{
    private const string Prologue = "4a6f686e2047616c74";
    private const string Psk = "54686973206973206d7920417573747269616e20706572737065637469766521";
    private const string InitiatorEphemeral = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
    private const string ResponderEphemeral = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";

    private static readonly string[] Payloads =
    [
        "4c756477696720766f6e204d69736573", "4d757272617920526f746862617264", "462e20412e20486179656b",
        "4361726c204d656e676572", "4a65616e2d426170746973746520536179", "457567656e2042f6686d20766f6e2042617765726b",
    ];

    public static TheoryData<CipherChoice, string, string[]> Vectors => new()
    {
        {
            CipherChoice.ChaChaPoly, "f4d03dc34495c95729ea6de9e1b59004b59733102488b3e24bc441e0be208eaf",
            [
                "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c794479b962b8aff8485742ac32f905ba45369e2465fb59e138a93d67a0d1266b6a54",
                "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843d6062704d5a9c422a8e834423f8c1feada7e8d0d910a1a2cd030fb584221e3",
                "e632c3763d7669067383433197a3baddf146e9e70ad4b4e9e59e0f",
                "64c6bee32ea91c8474bb4c21d7a700109ad45af77b29764ba5eb1e",
                "e2fa0bed0603b62d3ccac2ecabbf3fe33f3e86514909b323361626266cb2471cc8",
                "0c01dc9cec1fe4ddd692e8dd32188aa351088dc91183639a53b57aa4692b5ebdef8b8ca111",
            ]
        },
        {
            CipherChoice.AesGcm, "9f3b1f9afd7767767b5b9d1069844a6154fdbdcc36dfb3e31c0fffc5c973d530",
            [
                "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79447c37a89fc17813788d30df2d59501d6066f5f8aecc3406bbd9829f2d24a531b1",
                "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1448088432f29d79368ef9de4e1ae7a362fb05bf0ad668e026bf5714554497b3a720461",
                "7c01e898a6201f36aecee532e29cd0b7f8ffa29d3366ad0dce39a6",
                "a9ff535aace3db6a1da1a7fb00fe2de2622bb373abad9fb42c00e0",
                "6cfc49a3e65472edc2d0152abe5ce950170a8a47c959f30bd48b5f0aacf29adbfd",
                "9bc86e6d974ed21ba04604a94aa68de21677eb409ead070c0cd569b069ee19ba142aa4c1a9",
            ]
        },
    };

    [Theory, MemberData(nameof(Vectors))]
    public void HandshakeAndTransportMatchTheVectors(CipherChoice cipher, string handshakeHash, string[] ciphertexts)
    {
        var initiator = NoiseHandshake.ForVector(true, cipher, Hex(Psk), Hex(Prologue), Hex(InitiatorEphemeral));
        var responder = NoiseHandshake.ForVector(false, cipher, Hex(Psk), Hex(Prologue), Hex(ResponderEphemeral));

        var first = initiator.WriteFirst(Hex(Payloads[0]));
        Assert.Equal(ciphertexts[0], Convert.ToHexStringLower(first));
        Assert.Equal(Payloads[0], Convert.ToHexStringLower(responder.ReadFirst(first)));
        var second = responder.WriteSecond(Hex(Payloads[1]));
        Assert.Equal(ciphertexts[1], Convert.ToHexStringLower(second));
        Assert.Equal(Payloads[1], Convert.ToHexStringLower(initiator.ReadSecond(second)));

        var i = initiator.Split();
        var r = responder.Split();
        Assert.Equal(handshakeHash, Convert.ToHexStringLower(i.HandshakeHash));
        Assert.Equal(handshakeHash, Convert.ToHexStringLower(r.HandshakeHash));
        for (int m = 2; m < Payloads.Length; m++)
        {
            // The vectors alternate: the initiator sends first after the handshake (a one-way
            // pattern would not, but NN is two-way).
            var (sender, receiver) = m % 2 == 0 ? (i, r) : (r, i);
            var plain = Hex(Payloads[m]);
            var sealedBytes = new byte[plain.Length + CipherState.TagBytes];
            sender.Send.Encrypt([], plain, [], sealedBytes);
            Assert.Equal(ciphertexts[m], Convert.ToHexStringLower(sealedBytes));
            var opened = new byte[plain.Length];
            receiver.Receive.Decrypt([], new ReadOnlySequence<byte>(sealedBytes), opened);
            Assert.Equal(Payloads[m], Convert.ToHexStringLower(opened));
        }
    }

    [Theory, MemberData(nameof(Vectors))]
    public void TheSecondMessageInTwoStepsIsTheVectorsMessage(CipherChoice cipher, string handshakeHash, string[] ciphertexts)
    {
        // The acceptor sends its key ahead of the rest (ChannelEncryption.AnswerAsync) and the
        // dialer agrees on it before the rest arrives: the same bytes and keys as in one step.
        var initiator = NoiseHandshake.ForVector(true, cipher, Hex(Psk), Hex(Prologue), Hex(InitiatorEphemeral));
        var responder = NoiseHandshake.ForVector(false, cipher, Hex(Psk), Hex(Prologue), Hex(ResponderEphemeral));
        responder.ReadFirst(initiator.WriteFirst(Hex(Payloads[0])));

        var payload = Hex(Payloads[1]);
        var key = responder.WriteSecondEphemeral();
        var rest = new byte[payload.Length + CipherState.TagBytes];
        responder.WriteSecondRest(payload, rest);
        Assert.Equal(ciphertexts[1], Convert.ToHexStringLower([.. key, .. rest]));

        initiator.ReadSecondEphemeral(key);
        Assert.Equal(Payloads[1], Convert.ToHexStringLower(initiator.ReadSecondRest(rest)));
        Assert.Equal(handshakeHash, Convert.ToHexStringLower(initiator.Split().HandshakeHash));
        Assert.Equal(handshakeHash, Convert.ToHexStringLower(responder.Split().HandshakeHash));
    }

    [Fact]
    public void TheStepsOfTheSecondMessageCannotBeSkippedOrRepeated()
    {
        var psk = CookieKey.PreSharedKey("cookie"u8);
        var initiator = NoiseHandshake.Initiator(CipherChoice.AesGcm, psk, "p"u8);
        var responder = NoiseHandshake.Responder(CipherChoice.AesGcm, psk, "p"u8);
        responder.ReadFirst(initiator.WriteFirst([]));
        var rest = new byte[CipherState.TagBytes];
        Assert.Throws<InvalidOperationException>(() => responder.WriteSecondRest([], rest));
        var key = responder.WriteSecondEphemeral();
        Assert.Throws<InvalidOperationException>(() => responder.WriteSecondEphemeral());
        Assert.Throws<InvalidOperationException>(() => responder.Split());
        responder.WriteSecondRest([], rest);

        Assert.Throws<InvalidOperationException>(() => initiator.ReadSecondRest(rest));
        initiator.ReadSecondEphemeral(key);
        Assert.Throws<InvalidOperationException>(() => initiator.ReadSecond([.. key, .. rest]));
        Assert.Throws<InvalidOperationException>(() => initiator.Split());
        initiator.ReadSecondRest(rest);
        Assert.Equal(initiator.Split().HandshakeHash, responder.Split().HandshakeHash);
    }

    [Theory]
    [InlineData(CipherChoice.ChaChaPoly)]
    [InlineData(CipherChoice.AesGcm)]
    public void AWrongPreSharedKeyFailsTheFirstMessage(CipherChoice cipher)
    {
        var initiator = NoiseHandshake.Initiator(cipher, CookieKey.PreSharedKey("right"u8), "p"u8);
        var responder = NoiseHandshake.Responder(cipher, CookieKey.PreSharedKey("wrong"u8), "p"u8);
        Assert.Throws<AuthenticationException>(() => responder.ReadFirst(initiator.WriteFirst([])));
    }

    [Fact]
    public void AnotherPrologueFailsTheFirstMessage()
    {
        var psk = CookieKey.PreSharedKey("cookie"u8);
        var initiator = NoiseHandshake.Initiator(CipherChoice.AesGcm, psk, "cluster"u8);
        var responder = NoiseHandshake.Responder(CipherChoice.AesGcm, psk, "remote"u8);
        Assert.Throws<AuthenticationException>(() => responder.ReadFirst(initiator.WriteFirst([])));
    }

    [Fact]
    public void EveryHandshakeMakesNewKeys()
    {
        var psk = CookieKey.PreSharedKey("cookie"u8);
        byte[] SealHello()
        {
            var initiator = NoiseHandshake.Initiator(CipherChoice.AesGcm, psk, "p"u8);
            var responder = NoiseHandshake.Responder(CipherChoice.AesGcm, psk, "p"u8);
            responder.ReadFirst(initiator.WriteFirst([]));
            initiator.ReadSecond(responder.WriteSecond([]));
            var output = new byte[5 + CipherState.TagBytes];
            initiator.Split().Send.Encrypt([], "hello"u8, [], output);
            return output;
        }
        Assert.NotEqual(SealHello(), SealHello());
    }

    [Theory]
    [InlineData(CipherChoice.ChaChaPoly)]
    [InlineData(CipherChoice.AesGcm)]
    public void ReplayedReorderedOrAlteredMessagesDoNotOpen(CipherChoice cipher)
    {
        var (send, receive) = Channel(cipher);
        byte[] Seal(string text)
        {
            var plain = System.Text.Encoding.ASCII.GetBytes(text);
            var output = new byte[plain.Length + CipherState.TagBytes];
            send.Encrypt([], plain, [], output);
            return output;
        }
        void Open(byte[] message) => receive.Decrypt([], new ReadOnlySequence<byte>(message), new byte[message.Length - CipherState.TagBytes]);

        var m0 = Seal("zero");
        var m1 = Seal("one");
        var m2 = Seal("two");
        Open(m0);
        Assert.Throws<AuthenticationException>(() => Open(m0));   // replayed
        Assert.Throws<AuthenticationException>(() => Open(m2));   // m1 dropped
        Open(m1);
        m2[3] ^= 0x10;
        Assert.Throws<AuthenticationException>(() => Open(m2));   // a flipped bit
    }

    private static (CipherState Send, CipherState Receive) Channel(CipherChoice cipher)
    {
        var psk = CookieKey.PreSharedKey("cookie"u8);
        var initiator = NoiseHandshake.Initiator(cipher, psk, "p"u8);
        var responder = NoiseHandshake.Responder(cipher, psk, "p"u8);
        responder.ReadFirst(initiator.WriteFirst([]));
        initiator.ReadSecond(responder.WriteSecond([]));
        return (initiator.Split().Send, responder.Split().Receive);
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);
}
