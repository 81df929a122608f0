using Iridium.Crypto;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Iridium.Cluster.Tests.Security;

/// <summary>
/// Keys made ahead of a handshake (<see cref="EphemeralKeys"/>) keep forward secrecy per
/// connection: each is handed out once, each is a real X25519 pair, and handshakes made with them
/// agree on their keys.
/// </summary>
public class EphemeralKeysTests
{
    [Fact]
    public async Task APreparedKeyIsHandedOutOnceAndEveryKeyIsFresh()
    {
        var seen = new HashSet<string>();
        for (int i = 0; i < 20; i++)
        {
            if (i % 2 == 0)
            {
                // Half the time the prepared key is ready when taken, half the time it may not be.
                EphemeralKeys.Prepare();
                if (i % 4 == 0) await WhenReadyAsync();
            }
            var key = EphemeralKeys.Take();
            Assert.True(seen.Add(Convert.ToHexString(key.Private)), "a private key was handed out twice");
            Assert.True(seen.Add(Convert.ToHexString(key.Public)), "a public key was handed out twice");
            var expected = new byte[32];
            X25519.ScalarMultBase(key.Private, 0, expected, 0);
            Assert.Equal(expected, key.Public);
        }
    }

    [Fact]
    public void AClientsKeyMadeOnItsOwnThreadIsARealPairHandedOutOnce()
    {
        EphemeralKeys.PrepareOnOwnThread();
        EphemeralKeys.PrepareOnOwnThread();   // one thread, one key, however often asked
        var made = EphemeralKeys.TakeOwnThreadKey();
        var expected = new byte[32];
        X25519.ScalarMultBase(made.Private, 0, expected, 0);
        Assert.Equal(expected, made.Public);

        // Taken: the next one is made on the spot, and is another key.
        var next = EphemeralKeys.TakeOwnThreadKey();
        Assert.NotEqual(made.Private, next.Private);
        X25519.ScalarMultBase(next.Private, 0, expected, 0);
        Assert.Equal(expected, next.Public);
    }

    [Fact]
    public void AKeyTakenBeforeItsThreadBeganIsLeftToTheTakerAndTheThreadMakesNone()
    {
        var own = new EphemeralKeys.KeyThread(start: false);
        Assert.Null(own.Key());   // TakeOwnThreadKey then makes the key itself
        own.Start();
        own.Join();
        Assert.False(own.MadeOne, "the thread made a key nobody will take");
    }

    [Fact]
    public void AKeyWhoseThreadBeganIsTheThreadsOwn()
    {
        var own = new EphemeralKeys.KeyThread();
        own.Join();
        var key = own.Key();
        Assert.NotNull(key);
        Assert.True(own.MadeOne);
        var expected = new byte[32];
        X25519.ScalarMultBase(key.Private, 0, expected, 0);
        Assert.Equal(expected, key.Public);
    }

    [Fact]
    public async Task ATakerThatComesWhileTheThreadDoesWhatComesFirstMakesItsOwnKey()
    {
        using var release = new ManualResetEventSlim();
        using var began = new ManualResetEventSlim();
        var own = new EphemeralKeys.KeyThread(first: () =>
        {
            began.Set();
            release.Wait();
        });
        try
        {
            Assert.True(began.Wait(TimeSpan.FromSeconds(30)), "the key thread did not begin within 30 s");
            // The thread is held in what comes first: the taker does not wait for it, and makes its own key.
            Assert.Null(await Task.Run(own.Key).WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            release.Set();
            own.Join();
        }
        Assert.False(own.MadeOne, "the thread made a key nobody will take");
    }

    [Fact]
    public void AKeyIsMadeAfterWhatComesFirstEvenWhenThatFails()
    {
        bool ran = false;
        var own = new EphemeralKeys.KeyThread(first: () =>
        {
            ran = true;
            throw new InvalidOperationException("no sockets here");
        });
        own.Join();
        Assert.True(ran);
        var key = own.Key();
        Assert.NotNull(key);
        var expected = new byte[32];
        X25519.ScalarMultBase(key.Private, 0, expected, 0);
        Assert.Equal(expected, key.Public);
    }

    /// <summary>Until a key made ahead is ready (other tests' handshakes may take it first: then another is prepared).</summary>
    private static async Task WhenReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!EphemeralKeys.IsReady)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no key was made ahead within 30 s");
            EphemeralKeys.Prepare();
            await Task.Delay(5);
        }
    }

    [Theory]
    [InlineData(CipherChoice.AesGcm)]
    [InlineData(CipherChoice.ChaChaPoly)]
    public async Task HandshakesWithPreparedKeysAgreeAndSplitWipesThePrivateKeys(CipherChoice cipher)
    {
        var psk = CookieKey.PreSharedKey("prepared"u8);
        EphemeralKeys.Prepare();
        await WhenReadyAsync();
        var initiatorKey = EphemeralKeys.Take();
        var responderKey = EphemeralKeys.Take();
        var initiator = NoiseHandshake.Initiator(cipher, psk, "p"u8);
        var responder = NoiseHandshake.Responder(cipher, psk, "p"u8);

        var first = initiator.WriteFirst([], initiatorKey);
        Assert.Equal(initiatorKey.Public, first[..32]);
        responder.ReadFirst(first);
        var second = responder.WriteSecond([], responderKey);
        Assert.Equal(responderKey.Public, second[..32]);
        initiator.ReadSecond(second);
        var i = initiator.Split();
        var r = responder.Split();

        Assert.Equal(i.HandshakeHash, r.HandshakeHash);
        var sealedBytes = new byte[5 + CipherState.TagBytes];
        i.Send.Encrypt([], "hello"u8, [], sealedBytes);
        var opened = new byte[5];
        r.Receive.Decrypt([], new System.Buffers.ReadOnlySequence<byte>(sealedBytes), opened);
        Assert.Equal("hello"u8.ToArray(), opened);
        Assert.All(initiatorKey.Private, b => Assert.Equal(0, b));
        Assert.All(responderKey.Private, b => Assert.Equal(0, b));
    }
}
