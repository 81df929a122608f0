using System.Buffers;
using System.Buffers.Binary;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Iridium.Crypto;

/// <summary>A message whose authentication tag does not check: altered, replayed, reordered, cut or forged.</summary>
public sealed class AuthenticationException(string message) : Exception(message);

/// <summary>
/// Noise's CipherState (noiseprotocol.org/noise.html, section 5.1) for one direction: a key and
/// a 64-bit message counter that is the nonce, so every message is numbered. A message dropped,
/// replayed or moved makes the next one fail to authenticate, and nothing can be skipped or taken
/// back. One instance per direction, used by one thread at a time (a connection's writer or its
/// read loop). The AEAD is BouncyCastle's: ChaCha20-Poly1305 (nonce: four zero bytes, then the
/// counter little-endian) or AES-256-GCM (the counter big-endian), as Noise specifies.
/// </summary>
public sealed class CipherState
{
    /// <summary>Bytes the tag adds to each message.</summary>
    public const int TagBytes = 16;

    public const int KeyBytes = 32;

    private readonly CipherChoice _cipher;
    // Made when first used: a transport direction only ever seals or only ever opens, so the
    // other object (an AES key schedule, GCM's tables) would be built for nothing.
    private IAeadCipher? _encrypt;
    private IAeadCipher? _decrypt;
    // BouncyCastle copies the nonce at Init, so one array per state serves every message.
    private readonly byte[] _nonce = new byte[12];
    private KeyParameter? _key;
    private bool _encryptKeyed;
    private bool _decryptKeyed;
    private ulong _n;

    public CipherState(CipherChoice cipher) => _cipher = cipher;

    /// <summary>Whether a key is set (before it is, Noise's EncryptWithAd copies the plaintext).</summary>
    public bool HasKey => _key is not null;

    /// <summary>Messages this state has sealed or opened: the next message's number.</summary>
    public ulong Counter => _n;

    /// <summary>InitializeKey: a new key and the counter back to zero.</summary>
    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _key = new KeyParameter(key[..KeyBytes]);
        _encryptKeyed = _decryptKeyed = false;
        _n = 0;
    }

    /// <summary>Seals <paramref name="first"/> then <paramref name="second"/> as one message into <paramref name="destination"/> (their lengths plus <see cref="TagBytes"/>).</summary>
    public int Encrypt(ReadOnlySpan<byte> ad, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        if (_key is null)
        {
            first.CopyTo(destination);
            second.CopyTo(destination[first.Length..]);
            return first.Length + second.Length;
        }
        var aead = _encrypt ??= NewAead(_cipher);
        aead.Init(true, Parameters(ad, ref _encryptKeyed));
        int written = aead.ProcessBytes(first, destination);
        written += aead.ProcessBytes(second, destination[written..]);
        written += aead.DoFinal(destination[written..]);
        _n++;
        return written;
    }

    /// <summary>Opens one message into <paramref name="destination"/>; throws <see cref="AuthenticationException"/> when its tag does not check.</summary>
    public int Decrypt(ReadOnlySpan<byte> ad, in ReadOnlySequence<byte> ciphertext, Span<byte> destination)
    {
        if (_key is null)
        {
            ciphertext.CopyTo(destination);
            return (int)ciphertext.Length;
        }
        if (ciphertext.Length < TagBytes) throw new AuthenticationException("message shorter than its tag");
        var aead = _decrypt ??= NewAead(_cipher);
        aead.Init(false, Parameters(ad, ref _decryptKeyed));
        int written = 0;
        try
        {
            foreach (var segment in ciphertext) written += aead.ProcessBytes(segment.Span, destination[written..]);
            written += aead.DoFinal(destination[written..]);
        }
        catch (InvalidCipherTextException)
        {
            throw new AuthenticationException($"message {_n} does not authenticate (altered, replayed, out of order or forged)");
        }
        _n++;
        return written;
    }

    private AeadParameters Parameters(ReadOnlySpan<byte> ad, ref bool keyed)
    {
        // 2^64 - 1 is reserved (Noise, 5.1); a connection never gets near it, but must not wrap.
        if (_n == ulong.MaxValue) throw new AuthenticationException("message counter exhausted");
        if (_cipher == CipherChoice.AesGcm) BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), _n);
        else BinaryPrimitives.WriteUInt64LittleEndian(_nonce.AsSpan(4), _n);
        // The key is given once per cipher object; afterwards a null key tells BouncyCastle to keep
        // the one it has (its AES key schedule and GCM tables are not rebuilt for every frame).
        var key = keyed ? null : _key;
        keyed = true;
        return new AeadParameters(key, TagBytes * 8, _nonce, ad.IsEmpty ? null : ad.ToArray());
    }

    private static IAeadCipher NewAead(CipherChoice cipher)
        => cipher == CipherChoice.AesGcm ? new GcmBlockCipher(AesUtilities.CreateEngine()) : new ChaCha20Poly1305();
}
