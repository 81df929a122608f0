using System.Net.Sockets;

namespace Iridium.Cluster.Transport;

/// <summary>
/// A connected socket as a stream whose asynchronous reads and writes are blocking calls that
/// complete before they return. For the command-line client, which has one conversation and
/// nothing else to do while it waits: its whole exchange then runs on the calling thread, and the
/// process never starts the socket engine's thread or the thread pool, whose start-up and
/// hand-offs were most of what a one-request `iridium exec` or `ping` cost beyond `iridium run`.
/// A cancelled token shuts the socket down, which ends a read blocked on another thread.
/// </summary>
internal sealed class BlockingSocketStream(Socket socket) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer) => socket.Receive(buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        using var shutdown = ShutdownOn(ct);
        int read;
        try
        {
            read = socket.Receive(buffer.Span);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        // A read ended by the shutdown below reports end of stream; the caller asked to stop, not the peer.
        ct.ThrowIfCancellationRequested();
        return new ValueTask<int>(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty) buffer = buffer[socket.Send(buffer)..];
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        using var shutdown = ShutdownOn(ct);
        try
        {
            Write(buffer.Span);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
        => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private CancellationTokenRegistration ShutdownOn(CancellationToken ct)
        => ct.CanBeCanceled ? ct.UnsafeRegister(static state => ShutdownQuietly((Socket)state!), socket) : default;

    private static void ShutdownQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: the blocked call has ended or is ending.
        }
    }
}
