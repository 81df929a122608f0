using System.Buffers;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Iridium.Crypto;

/// <summary>The two directions of an established channel: what this side seals, and what it opens.</summary>
public sealed record TransportKeys(CipherState Send, CipherState Receive, byte[] HandshakeHash);

/// <summary>
/// The Noise handshake <c>NNpsk0</c> (noiseprotocol.org/noise.html, sections 5, 7.4 and 9) over
/// 25519, SHA256 and the chosen AEAD, with BouncyCastle's primitives:
/// <code>
/// NNpsk0:
///   -> psk, e
///   &lt;- e, ee
/// </code>
/// Both sides hold the pre-shared key (derived from the cluster cookie); each makes a fresh X25519
/// key pair for this handshake only, so the transport keys come from an ephemeral Diffie-Hellman
/// (forward secrecy: a cookie stolen later does not open recorded traffic). The first message's
/// tag already depends on the pre-shared key, so the responder turns away a caller without the
/// cookie after a few hash computations, before any Diffie-Hellman.
/// Checked against the published cacophony test vectors (tests, NoiseVectorTests).
/// </summary>
public sealed class NoiseHandshake
{
    public const int DhBytes = 32;
    public const int HashBytes = 32;

    /// <summary>The first message with an empty payload: the ephemeral key and a tag.</summary>
    public const int FirstMessageBytes = DhBytes + CipherState.TagBytes;

    private readonly bool _initiator;
    private readonly CipherState _cipher;
    private readonly CipherChoice _choice;
    private readonly byte[] _psk;
    private EphemeralKey? _ephemeral;
    private byte[] _ck = new byte[HashBytes];
    private byte[] _h = new byte[HashBytes];
    private int _step;

    private NoiseHandshake(bool initiator, CipherChoice cipher, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> prologue, EphemeralKey? ephemeral)
    {
        if (psk.Length != 32) throw new ArgumentException("a Noise pre-shared key is 32 bytes", nameof(psk));
        _initiator = initiator;
        _choice = cipher;
        _cipher = new CipherState(cipher);
        _psk = psk.ToArray();
        _ephemeral = ephemeral;

        // InitializeSymmetric: a name longer than the hash is hashed, a shorter one zero-padded.
        byte[] name = Encoding.ASCII.GetBytes(ProtocolName(cipher));
        if (name.Length <= HashBytes) name.CopyTo(_h, 0);
        else Hash(name, [], _h);
        _h.CopyTo(_ck, 0);
        MixHash(prologue);
    }

    /// <summary>The Noise protocol name of this handshake.</summary>
    public static string ProtocolName(CipherChoice cipher) => $"Noise_NNpsk0_25519_{cipher.NoiseName()}_SHA256";

    public static NoiseHandshake Initiator(CipherChoice cipher, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> prologue)
        => new(true, cipher, psk, prologue, null);

    public static NoiseHandshake Responder(CipherChoice cipher, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> prologue)
        => new(false, cipher, psk, prologue, null);

    /// <summary>With a given ephemeral private key: only for the published test vectors.</summary>
    internal static NoiseHandshake ForVector(bool initiator, CipherChoice cipher, ReadOnlySpan<byte> psk, ReadOnlySpan<byte> prologue, ReadOnlySpan<byte> ephemeral)
        => new(initiator, cipher, psk, prologue, EphemeralKey.Of(ephemeral));

    public CipherChoice Cipher => _choice;

    /// <summary>
    /// Initiator: <c>-&gt; psk, e</c> and the payload (sealed under the pre-shared key).
    /// <paramref name="ephemeral"/>: this handshake's key pair, made ahead (<see cref="EphemeralKeys"/>); null: made now.
    /// </summary>
    public byte[] WriteFirst(ReadOnlySpan<byte> payload, EphemeralKey? ephemeral = null)
    {
        Expect(initiator: true, step: 0);
        MixKeyAndHash(_psk);
        var local = _ephemeral ??= ephemeral ?? EphemeralKey.New();
        MixEphemeral(local.Public);
        var message = new byte[DhBytes + payload.Length + CipherState.TagBytes];
        local.Public.CopyTo(message, 0);
        EncryptAndHash(payload, message.AsSpan(DhBytes));
        return message;
    }

    /// <summary>Responder: reads the first message; throws <see cref="AuthenticationException"/> when its sender lacks the pre-shared key.</summary>
    public byte[] ReadFirst(ReadOnlySpan<byte> message)
    {
        Expect(initiator: false, step: 0);
        if (message.Length < DhBytes + CipherState.TagBytes) throw new AuthenticationException("first handshake message too short");
        MixKeyAndHash(_psk);
        var remote = message[..DhBytes].ToArray();
        MixEphemeral(remote);
        var payload = DecryptAndHash(message[DhBytes..]);
        _remoteEphemeral = remote;
        return payload;
    }

    /// <summary>
    /// Responder: <c>&lt;- e, ee</c> and the payload; the handshake is then complete.
    /// <paramref name="ephemeral"/>: this handshake's key pair, made ahead (<see cref="EphemeralKeys"/>); null: made now.
    /// </summary>
    public byte[] WriteSecond(ReadOnlySpan<byte> payload, EphemeralKey? ephemeral = null)
    {
        var message = new byte[DhBytes + payload.Length + CipherState.TagBytes];
        WriteSecondEphemeral(ephemeral).CopyTo(message, 0);
        WriteSecondRest(payload, message.AsSpan(DhBytes));
        return message;
    }

    /// <summary>
    /// Responder, message 2 in two steps: first its token <c>e</c>, this side's public key (the
    /// message's first <see cref="DhBytes"/> bytes), which needs no Diffie-Hellman and can be on
    /// its way while <see cref="WriteSecondRest"/> computes <c>ee</c>, and the initiator
    /// computes its own <c>ee</c> at the same time (<see cref="ReadSecondEphemeral"/>). The bytes are
    /// those of <see cref="WriteSecond"/>; only when they leave differs.
    /// </summary>
    public byte[] WriteSecondEphemeral(EphemeralKey? ephemeral = null)
    {
        Expect(initiator: false, step: 1);
        var local = _ephemeral ??= ephemeral ?? EphemeralKey.New();
        MixEphemeral(local.Public);
        _halfway = true;
        return local.Public;
    }

    /// <summary>
    /// Responder: the rest of message 2 (<c>ee</c>, then the payload sealed) into
    /// <paramref name="destination"/> (the payload's length plus the tag); the handshake is then complete.
    /// </summary>
    public void WriteSecondRest(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        ExpectHalfway(initiator: false);
        MixKey(Agree(_remoteEphemeral!));
        EncryptAndHash(payload, destination);
    }

    /// <summary>Initiator: reads the second message; throws <see cref="AuthenticationException"/> when it does not authenticate.</summary>
    public byte[] ReadSecond(ReadOnlySpan<byte> message)
    {
        if (message.Length < DhBytes + CipherState.TagBytes) throw new AuthenticationException("second handshake message too short");
        ReadSecondEphemeral(message[..DhBytes]);
        return ReadSecondRest(message[DhBytes..]);
    }

    /// <summary>
    /// Initiator, message 2 in two steps: its first <see cref="DhBytes"/> bytes, the responder's
    /// public key, and the Diffie-Hellman <c>ee</c> with it, which can run while the rest of the
    /// message is still on its way (<see cref="WriteSecondEphemeral"/>).
    /// </summary>
    public void ReadSecondEphemeral(ReadOnlySpan<byte> publicKey)
    {
        Expect(initiator: true, step: 1);
        if (publicKey.Length != DhBytes) throw new AuthenticationException("second handshake message too short");
        var remote = publicKey.ToArray();
        MixEphemeral(remote);
        MixKey(Agree(remote));
        _halfway = true;
    }

    /// <summary>Initiator: the rest of message 2 (the sealed payload); throws <see cref="AuthenticationException"/> when it does not authenticate.</summary>
    public byte[] ReadSecondRest(ReadOnlySpan<byte> rest)
    {
        ExpectHalfway(initiator: true);
        if (rest.Length < CipherState.TagBytes) throw new AuthenticationException("second handshake message too short");
        return DecryptAndHash(rest);
    }

    /// <summary>Split: the transport keys, once both messages are through. The ephemeral private key is wiped.</summary>
    public TransportKeys Split()
    {
        if (_step != 2 || _halfway) throw new InvalidOperationException("the handshake is not complete");
        Span<byte> keys = stackalloc byte[2 * HashBytes];
        Hkdf(_ck, [], keys);
        var initiatorToResponder = new CipherState(_choice);
        var responderToInitiator = new CipherState(_choice);
        initiatorToResponder.InitializeKey(keys[..HashBytes]);
        responderToInitiator.InitializeKey(keys[HashBytes..]);
        keys.Clear();
        Array.Clear(_ephemeral!.Private);
        Array.Clear(_ck);
        return _initiator
            ? new TransportKeys(initiatorToResponder, responderToInitiator, _h.ToArray())
            : new TransportKeys(responderToInitiator, initiatorToResponder, _h.ToArray());
    }

    private byte[]? _remoteEphemeral;

    // Between the two steps of message 2 (its token e, then the rest).
    private bool _halfway;

    private void Expect(bool initiator, int step)
    {
        if (_initiator != initiator || _step != step || _halfway) throw new InvalidOperationException("handshake message out of order");
        _step++;
    }

    private void ExpectHalfway(bool initiator)
    {
        if (_initiator != initiator || !_halfway) throw new InvalidOperationException("handshake message out of order");
        _halfway = false;
    }

    /// <summary>The token <c>e</c> in a pre-shared-key handshake: MixHash, then MixKey (Noise, 9.2).</summary>
    private void MixEphemeral(ReadOnlySpan<byte> publicKey)
    {
        MixHash(publicKey);
        MixKey(publicKey);
    }

    private byte[] Agree(byte[] remotePublic)
    {
        var shared = new byte[DhBytes];
        // An all-zero result means a low-order point: a peer trying to fix the key.
        if (!X25519.CalculateAgreement(_ephemeral!.Private, remotePublic, shared)) throw new AuthenticationException("invalid ephemeral key");
        return shared;
    }

    private void MixHash(ReadOnlySpan<byte> data) => Hash(_h, data, _h);

    private void MixKey(ReadOnlySpan<byte> input)
    {
        Span<byte> output = stackalloc byte[2 * HashBytes];
        Hkdf(_ck, input, output);
        _ck = output[..HashBytes].ToArray();
        _cipher.InitializeKey(output[HashBytes..]);
        output.Clear();
    }

    private void MixKeyAndHash(ReadOnlySpan<byte> input)
    {
        Span<byte> output = stackalloc byte[3 * HashBytes];
        Hkdf(_ck, input, output);
        _ck = output[..HashBytes].ToArray();
        MixHash(output.Slice(HashBytes, HashBytes));
        _cipher.InitializeKey(output[(2 * HashBytes)..]);
        output.Clear();
    }

    private void EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        int written = _cipher.Encrypt(_h, plaintext, [], destination);
        MixHash(destination[..written]);
    }

    private byte[] DecryptAndHash(ReadOnlySpan<byte> ciphertext)
    {
        var plaintext = new byte[ciphertext.Length - (_cipher.HasKey ? CipherState.TagBytes : 0)];
        _cipher.Decrypt(_h, new ReadOnlySequence<byte>(ciphertext.ToArray()), plaintext);
        MixHash(ciphertext);
        return plaintext;
    }

    private static void Hash(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        var sha = new Sha256Digest();
        sha.BlockUpdate(first);
        sha.BlockUpdate(second);
        sha.DoFinal(destination);
    }

    /// <summary>Noise's HKDF (section 4.3) is RFC 5869's with the chaining key as salt and no info: BouncyCastle's.</summary>
    private static void Hkdf(byte[] chainingKey, ReadOnlySpan<byte> input, Span<byte> output)
    {
        var hkdf = new HkdfBytesGenerator(new Sha256Digest());
        hkdf.Init(new HkdfParameters(input.ToArray(), chainingKey, null));
        hkdf.GenerateBytes(output);
    }
}
