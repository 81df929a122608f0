using System.Buffers;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>
/// The messages of the last frame a connection read, and which of them are still to hand on: one
/// message, or every message of a <see cref="SealedBatch"/>, all decoded before any is handed on
/// (a batch that does not decode whole delivers nothing). A handshake read may leave some for the
/// read loop, which hands those on first. The reader's alone: one thread at a time.
/// </summary>
internal sealed class ArrivedMessages
{
    private readonly List<IClusterMessage> _messages = [];
    private int _next;

    /// <summary>
    /// Decodes one frame as it arrived, opening it with <paramref name="cipher"/> when the
    /// connection is encrypted, in place of what was left. <see cref="ProtocolException"/> on a bad frame.
    /// </summary>
    public void Decode(in ReadOnlySequence<byte> payload, FrameCipher? cipher, int maxFrameBytes)
    {
        Clear();
        if (cipher is null)
        {
            _messages.Add(FrameCodec.Decode(payload));
            return;
        }
        byte[] plaintext = cipher.Open(payload, out int length);
        // Program output keeps the opened buffer as its bytes (no second copy); the chunk hands it back.
        if (ExecOutputCodec.TryDecodeInPlace(plaintext, length, out var output))
        {
            _messages.Add(output!);
            return;
        }
        try
        {
            // Decoding copies what it keeps, so the buffer goes back at once.
            var opened = plaintext.AsSpan(0, length);
            if (!SealedBatch.IsBatch(opened))
            {
                _messages.Add(FrameCodec.Decode(new ReadOnlySequence<byte>(plaintext, 0, length)));
                return;
            }
            int offset = 1;
            while (SealedBatch.TryNext(opened, ref offset, maxFrameBytes, out int start, out int count))
                _messages.Add(FrameCodec.Decode(new ReadOnlySequence<byte>(plaintext, start, count)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    /// <summary>The next message not yet handed on; false when none is left.</summary>
    public bool TryTake(out IClusterMessage message)
    {
        if (_next < _messages.Count)
        {
            message = _messages[_next++];
            return true;
        }
        message = null!;
        return false;
    }

    /// <summary>Whether a message is still to hand on.</summary>
    public bool HasNext => _next < _messages.Count;

    /// <summary>Lets go of what is left.</summary>
    public void Clear()
    {
        _messages.Clear();
        _next = 0;
    }
}
