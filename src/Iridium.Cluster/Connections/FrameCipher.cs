using System.Buffers;
using System.Buffers.Binary;
using Iridium.Cluster.Protocol;
using Iridium.Crypto;

namespace Iridium.Cluster.Connections;

/// <summary>
/// Encryption as a transform of whole frames, once the Noise handshake has made the keys
/// (<see cref="ChannelEncryption"/>): a frame's payload is sealed as one AEAD message, and the
/// sealed bytes travel as the payload of an ordinary frame (length prefix, then the payload and
/// its 16-byte tag); a frame may also carry several small frames as one (<see cref="SealedBatch"/>).
/// Each direction numbers its messages (the nonce), so a frame altered,
/// injected, replayed, dropped or moved fails to open, and that closes the connection. The
/// framing and every message above it are unchanged. The send side is used by one writer at a
/// time (the connection's writer, or the handshake and a client's writer), the receive side by one reader.
/// </summary>
internal sealed class FrameCipher(TransportKeys keys)
{
    public const int TagBytes = CipherState.TagBytes;

    /// <summary>Bigger than this, the plaintext buffer is not kept after a frame (one big frame would pin it).</summary>
    private const int KeptPlaintextBytes = 1 << 20;

    private ArrayBufferWriter<byte> _plaintext = new(256);

    /// <summary>An empty buffer for the next plaintext frame (length prefix and payload), sealed by <see cref="SealPlaintext"/>.</summary>
    public IBufferWriter<byte> Plaintext
    {
        get
        {
            _plaintext.ResetWrittenCount();
            return _plaintext;
        }
    }

    /// <summary>Seals the frame written to <see cref="Plaintext"/> into <paramref name="output"/>.</summary>
    public void SealPlaintext(IBufferWriter<byte> output)
    {
        Seal(_plaintext.WrittenSpan[ProtocolLimits.FrameHeaderBytes..], [], output);
        if (_plaintext.Capacity > KeptPlaintextBytes) _plaintext = new ArrayBufferWriter<byte>(256);
    }

    /// <summary>
    /// An empty <see cref="SealedBatch"/> (its tag written) in the plaintext buffer: the caller
    /// appends whole frames, then <see cref="SealBatch"/> seals them as one message.
    /// </summary>
    public IBufferWriter<byte> NewBatch()
    {
        _plaintext.ResetWrittenCount();
        _plaintext.GetSpan(1)[0] = WireTags.SealedBatch;
        _plaintext.Advance(1);
        return _plaintext;
    }

    /// <summary>Seals the batch begun by <see cref="NewBatch"/> into <paramref name="output"/>.</summary>
    public void SealBatch(IBufferWriter<byte> output) => Seal(_plaintext.WrittenSpan, [], output);

    /// <summary>
    /// Seals a frame whose payload is <paramref name="first"/> then <paramref name="second"/>
    /// into <paramref name="output"/>, read where they are: a queued frame goes from its buffer
    /// to the pipe in one pass, with no copy into <see cref="Plaintext"/> first.
    /// </summary>
    public void Seal(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, IBufferWriter<byte> output)
    {
        int sealedBytes = first.Length + second.Length + TagBytes;
        var span = output.GetSpan(ProtocolLimits.FrameHeaderBytes + sealedBytes);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)sealedBytes);
        keys.Send.Encrypt([], first, second, span[ProtocolLimits.FrameHeaderBytes..]);
        output.Advance(ProtocolLimits.FrameHeaderBytes + sealedBytes);
    }

    /// <summary>
    /// Opens a sealed payload into a buffer rented from the shared pool (the caller returns it);
    /// a payload that does not authenticate is a <see cref="ProtocolException"/>.
    /// </summary>
    public byte[] Open(in ReadOnlySequence<byte> sealedPayload, out int length)
    {
        if (sealedPayload.Length <= TagBytes) throw new ProtocolException($"encrypted frame of {sealedPayload.Length} bytes is too short");
        length = (int)sealedPayload.Length - TagBytes;
        var plaintext = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            keys.Receive.Decrypt([], sealedPayload, plaintext.AsSpan(0, length));
            return plaintext;
        }
        catch (AuthenticationException e)
        {
            ArrayPool<byte>.Shared.Return(plaintext);
            throw new ProtocolException("encrypted frame does not authenticate: " + e.Message);
        }
    }
}
