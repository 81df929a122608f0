using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Iridium.Crypto;

/// <summary>
/// An X25519 key pair for one Noise handshake: a random private key and its public key,
/// X25519(k, 9) (RFC 7748). Used once; the handshake wipes the private key at Split.
/// </summary>
public sealed class EphemeralKey
{
    /// <summary>The u-coordinate 9 of Curve25519's base point, little-endian.</summary>
    private static readonly byte[] BasePoint = [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private EphemeralKey(byte[] privateKey, byte[] publicKey)
    {
        Private = privateKey;
        Public = publicKey;
    }

    public byte[] Private { get; }

    public byte[] Public { get; }

    /// <summary>
    /// A new key pair, its public key by the Montgomery ladder rather than GeneratePublicKey,
    /// which would first build BouncyCastle's table of base-point multiples: milliseconds that
    /// a one-command client (`iridium exec`) would pay on every run for one key.
    /// </summary>
    public static EphemeralKey New()
    {
        var privateKey = SecureRandom.Bytes(NoiseHandshake.DhBytes);
        var publicKey = new byte[NoiseHandshake.DhBytes];
        X25519.ScalarMult(privateKey, 0, BasePoint, 0, publicKey, 0);
        return new EphemeralKey(privateKey, publicKey);
    }

    /// <summary>A given private key (the published test vectors); its public key is computed.</summary>
    internal static EphemeralKey Of(ReadOnlySpan<byte> privateKey)
    {
        var publicKey = new byte[NoiseHandshake.DhBytes];
        var copy = privateKey.ToArray();
        X25519.ScalarMult(copy, 0, BasePoint, 0, publicKey, 0);
        return new EphemeralKey(copy, publicKey);
    }
}

/// <summary>
/// The next handshake's ephemeral key, made ahead of time on the thread pool, so a handshake does
/// not wait for the scalar multiplication that makes it (a tenth of a millisecond, a quarter of
/// what one side of a handshake costs; measured by tools/bench/CryptoBench). Each key is still
/// used for one handshake only (forward secrecy is per connection): <see cref="Take"/> hands the
/// prepared key out once, and whoever wants another prepares it. A node prepares the next one
/// after each handshake. A command-line client does not: it makes its one key when it needs it,
/// since preparing would start the thread pool, which its blocking I/O avoids (tried: one-shot
/// `iridium ping` and `exec` became slower, not faster; the key costs a tenth of a millisecond). Nothing is made until
/// someone prepares, and a stranger who fails the first handshake message makes the acceptor
/// prepare nothing (the acceptor takes a key only after that message checks).
/// </summary>
public static class EphemeralKeys
{
    private static readonly Lock Gate = new();
    private static Task<EphemeralKey>? _prepared;

    /// <summary>Starts making a key on the thread pool unless one is ready or being made.</summary>
    public static void Prepare()
    {
        lock (Gate)
        {
            if (_prepared is null || _prepared.IsFaulted) _prepared = Task.Run(EphemeralKey.New);
        }
    }

    /// <summary>Whether a prepared key is ready to be taken (tests).</summary>
    internal static bool IsReady
    {
        get
        {
            lock (Gate) return _prepared is { IsCompletedSuccessfully: true };
        }
    }

    /// <summary>
    /// The prepared key if it is ready, else a new one made now; never waits for one being made
    /// (that stays for the next taker), so no thread blocks on the thread pool.
    /// </summary>
    public static EphemeralKey Take()
    {
        lock (Gate)
        {
            if (_prepared is { IsCompletedSuccessfully: true } ready)
            {
                _prepared = null;
                return ready.Result;
            }
        }
        return EphemeralKey.New();
    }
}
