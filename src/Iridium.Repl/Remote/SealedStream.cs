using System.Buffers;
using System.Buffers.Binary;
using Iridium.Crypto;

namespace Iridium.Repl.Remote;

/// <summary>A sealed frame that does not open: altered, injected, replayed, dropped or moved on the way.</summary>
public sealed class TamperedException(string message) : IOException(message);

/// <summary>
/// A remote REPL session's bytes after the handshake (<see cref="RemoteHandshake"/>), as a
/// stream: what is written is sealed into frames of at most <see cref="RemoteWire.MaxPlaintextBytes"/>,
/// each one AEAD message numbered by its direction's counter, and what is read is opened frame by
/// frame. Everything above it (lines, the interrupt byte, prompts) is the text protocol it always
/// was. A frame that does not open is a <see cref="TamperedException"/>; the connection ending
/// without the sealed end (<see cref="CompleteWrites"/>) is an <see cref="EndOfStreamException"/>,
/// so a cut is never taken for the peer's close. Reads are one reader's at a time; writes may come
/// from several threads (they are serialized here, as the counter requires).
/// </summary>
public sealed class SealedStream : Stream
{
    private readonly Stream _inner;
    private readonly CipherState _send;
    private readonly CipherState _receive;
    private readonly Action? _shutdownSend;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly byte[] _header = new byte[RemoteWire.HeaderBytes];
    private byte[]? _sealedIn;      // one received frame's body (allocated at the first read)
    private byte[]? _plainIn;       // its plaintext, handed out by the reads
    private int _plainStart;
    private int _plainCount;
    private bool _ended;            // the peer's sealed end arrived
    private bool _completed;        // ours went out
    private bool _broken;           // a write failed (a peer that stopped reading): nothing more is sent

    /// <param name="inner">The connection.</param>
    /// <param name="send">Seals what this side writes.</param>
    /// <param name="receive">Opens what the other side wrote.</param>
    /// <param name="shutdownSend">Ends the connection's sending half after the sealed end (the socket's shutdown); null to leave it open.</param>
    internal SealedStream(Stream inner, CipherState send, CipherState receive, Action? shutdownSend)
    {
        _inner = inner;
        _send = send;
        _receive = receive;
        _shutdownSend = shutdownSend;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty) return 0;
        while (_plainCount == 0)
        {
            if (_ended) return 0;
            await ReadFrameAsync(cancellationToken).ConfigureAwait(false);
        }
        int n = Math.Min(_plainCount, destination.Length);
        _plainIn.AsSpan(_plainStart, n).CopyTo(destination.Span);
        _plainStart += n;
        _plainCount -= n;
        return n;
    }

    private async Task ReadFrameAsync(CancellationToken ct)
    {
        if (!await RemoteWire.ReadExactlyOrEndAsync(_inner, _header, ct).ConfigureAwait(false))
            throw new EndOfStreamException("the connection ended without its sealed end (cut on the way, or the peer went away)");
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(_header);
        if (length < CipherState.TagBytes || length > RemoteWire.MaxPlaintextBytes + CipherState.TagBytes)
            throw new TamperedException($"a sealed frame of {length} bytes (at most {RemoteWire.MaxPlaintextBytes + CipherState.TagBytes})");
        _sealedIn ??= new byte[RemoteWire.MaxPlaintextBytes + CipherState.TagBytes];
        _plainIn ??= new byte[RemoteWire.MaxPlaintextBytes];
        if (!await RemoteWire.ReadExactlyOrEndAsync(_inner, _sealedIn.AsMemory(0, (int)length), ct).ConfigureAwait(false))
            throw new EndOfStreamException("the connection ended inside a sealed frame");
        try
        {
            _plainCount = _receive.Decrypt([], new ReadOnlySequence<byte>(_sealedIn, 0, (int)length), _plainIn);
        }
        catch (AuthenticationException e)
        {
            throw new TamperedException("a sealed frame does not open: " + e.Message);
        }
        _plainStart = 0;
        if (_plainCount == 0) _ended = true;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _writeGate.Wait();
        try
        {
            _inner.Write(Seal(buffer));
        }
        catch (IOException)
        {
            _broken = true;
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Sealed in one piece, then sent: the frames of one write go out together.
            var frames = Seal(buffer.Span);
            await _inner.WriteAsync(frames, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            _broken = true;
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Seals <paramref name="plaintext"/> (nothing: the sealed end) into as many frames as it takes. Caller holds the write gate.</summary>
    private byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        if (_completed) throw new IOException("the sealed end was sent already");
        int frames = Math.Max(1, (plaintext.Length + RemoteWire.MaxPlaintextBytes - 1) / RemoteWire.MaxPlaintextBytes);
        var output = new byte[plaintext.Length + frames * (RemoteWire.HeaderBytes + CipherState.TagBytes)];
        int at = 0;
        do
        {
            var chunk = plaintext[..Math.Min(plaintext.Length, RemoteWire.MaxPlaintextBytes)];
            BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(at), (uint)(chunk.Length + CipherState.TagBytes));
            at += RemoteWire.HeaderBytes;
            at += _send.Encrypt([], chunk, [], output.AsSpan(at));
            plaintext = plaintext[chunk.Length..];
        }
        while (!plaintext.IsEmpty);
        return output;
    }

    /// <summary>
    /// Sends the sealed end (an empty frame) and ends the sending half: the peer reads the end of
    /// the stream, and knows it was not cut. Once; later writes throw. Not after a write failed (a
    /// peer that stopped reading would hold this for the socket's send timeout again). Never
    /// throws for network trouble.
    /// </summary>
    public void CompleteWrites()
    {
        _writeGate.Wait();
        try
        {
            if (_completed || _broken) return;
            var end = Seal([]);
            _completed = true;
            _inner.Write(end);
            _shutdownSend?.Invoke();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Gone already: there is nobody to tell.
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => _inner.Flush();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
