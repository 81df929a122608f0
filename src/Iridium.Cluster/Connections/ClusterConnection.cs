using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Connections;

/// <summary>
/// One framed connection (Orleans' Connection layer). During the handshake the caller reads and
/// writes frames directly; <see cref="Start"/> then runs a read loop, which decodes every complete
/// frame in each buffer before reading again, and a send loop, which drains a bounded queue into
/// the pipe and flushes once per batch — that batching is where the throughput comes from.
/// Any malformed input closes this connection only.
/// </summary>
internal sealed class ClusterConnection
{
    /// <summary>Frames queued for sending before <see cref="SendAsync"/> waits (and <see cref="TrySend"/> fails).</summary>
    public const int OutboxCapacity = 64 * 1024;
    private const int FlushThresholdBytes = 64 * 1024;

    private readonly IConnectionTransport _transport;
    private readonly Channel<IClusterMessage> _outbox;
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _maxFrameBytes;
    private int _closeStarted;
    private Task _sendLoop = Task.CompletedTask;
    private Action<IClusterMessage, string>? _onSendDropped;

    public ClusterConnection(IConnectionTransport transport, bool isOutbound, int maxFrameBytes)
    {
        _transport = transport;
        IsOutbound = isOutbound;
        // Until the peer has authenticated it may only send handshake-sized frames.
        _maxFrameBytes = Math.Min(maxFrameBytes, ProtocolLimits.HandshakeFrameBytes);
        AuthenticatedMaxFrameBytes = maxFrameBytes;
        _outbox = Channel.CreateBounded<IClusterMessage>(new BoundedChannelOptions(OutboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>True when this node dialed the connection.</summary>
    public bool IsOutbound { get; }

    public int AuthenticatedMaxFrameBytes { get; }

    public string RemoteHost => _transport.RemoteHost;

    public string LocalHost => _transport.LocalHost;

    /// <summary>The authenticated peer, once the handshake has succeeded.</summary>
    public Guid PeerId { get; internal set; }

    /// <summary>Who dialed: with <see cref="PeerId"/> it decides which of two simultaneous connections survives.</summary>
    public Guid DialerId { get; internal set; }

    /// <summary>The dialer's handshake nonce: breaks the tie between two connections dialed by the same node.</summary>
    public byte[] DialerNonce { get; internal set; } = [];

    /// <summary>
    /// Of two connections between the same pair of nodes, both nodes keep the same one: the one
    /// dialed by the lower node id, or with the lower dialer nonce when one node dialed both.
    /// Order-independent, so it needs no coordination.
    /// </summary>
    public bool WinsOver(ClusterConnection other)
    {
        int byDialer = DialerId.CompareTo(other.DialerId);
        return byDialer != 0 ? byDialer < 0 : DialerNonce.AsSpan().SequenceCompareTo(other.DialerNonce) < 0;
    }

    /// <summary>Why the connection ended; null while it is open.</summary>
    public ConnectionClose? Closing { get; private set; }

    /// <summary>Completes when the connection is closed and its loops have ended.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Raises the frame cap from the handshake limit to the configured one.</summary>
    public void MarkAuthenticated() => _maxFrameBytes = AuthenticatedMaxFrameBytes;

    /// <summary>Reads one frame (handshake phase). Null at end of stream; <see cref="ProtocolException"/> on a bad frame.</summary>
    public async ValueTask<IClusterMessage?> ReadAsync(CancellationToken ct)
    {
        var input = _transport.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool complete = false;
            try
            {
                complete = FrameCodec.TryReadFrame(ref buffer, _maxFrameBytes, out var payload);
                if (complete) return FrameCodec.Decode(payload);
            }
            finally
            {
                // After a whole frame, what follows it is unexamined: another frame may be there
                // already, and the next read must see it without waiting for more bytes.
                if (complete) input.AdvanceTo(buffer.Start);
                else input.AdvanceTo(buffer.Start, buffer.End);
            }
            if (result.IsCompleted || result.IsCanceled) return null;
        }
    }

    /// <summary>Writes and flushes one frame (handshake phase, before <see cref="Start"/>).</summary>
    public async ValueTask WriteAsync(IClusterMessage message, CancellationToken ct)
    {
        FrameCodec.Write(_transport.Output, message, _scratch, int.MaxValue);
        await _transport.Output.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Starts the read and send loops. <paramref name="onSendDropped"/> hears about messages too large to send.</summary>
    public void Start(IConnectionHandler handler, Action<IClusterMessage, string>? onSendDropped = null)
    {
        MarkAuthenticated();
        _onSendDropped = onSendDropped;
        _sendLoop = Task.Run(SendLoopAsync);
        _ = Task.Run(() => ReadLoopAsync(handler));
        _started.TrySetResult();
    }

    /// <summary>Queues a message; false when the connection is closed or its queue is full (a stalled peer).</summary>
    public bool TrySend(IClusterMessage message) => _outbox.Writer.TryWrite(message);

    /// <summary>Queues a message, waiting while the queue is full (back-pressure for bulk senders).</summary>
    public ValueTask SendAsync(IClusterMessage message, CancellationToken ct = default) => _outbox.Writer.WriteAsync(message, ct);

    /// <summary>Closes at once; queued messages are dropped. Safe to call more than once and from any thread; the first reason sticks.</summary>
    public void Close(CloseReason reason, string detail)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0) return;
        Closing = new ConnectionClose(reason, detail);
        _outbox.Writer.TryComplete();
        _closing.Cancel();
        _transport.Dispose();
        if (_sendLoop.IsCompleted) _closed.TrySetResult();
        else _sendLoop.ContinueWith(_ => _closed.TrySetResult(), TaskScheduler.Default);
    }

    /// <summary>
    /// Sends what is queued (a Leave, say), signals end of stream, gives the peer up to
    /// <paramref name="linger"/> to close its side, then closes.
    /// </summary>
    public async Task CloseGracefullyAsync(CloseReason reason, string detail, TimeSpan linger)
    {
        _outbox.Writer.TryComplete();
        using var deadline = new CancellationTokenSource(linger);
        try
        {
            // A connection replaced between its handshake and Start still owes the peer what was queued.
            await _started.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
            await _sendLoop.WaitAsync(deadline.Token).ConfigureAwait(false);
            _transport.ShutdownOutput();
            // Closing with unread input would reset the connection and could destroy the
            // frames we just sent, so wait for the peer's end of stream (its read loop closes).
            await _closed.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Linger over: close regardless.
        }
        Close(reason, detail);
    }

    private async Task SendLoopAsync()
    {
        var reader = _outbox.Reader;
        var output = _transport.Output;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
                    try
                    {
                        FrameCodec.Write(output, message, _scratch, AuthenticatedMaxFrameBytes);
                    }
                    catch (ProtocolException e)
                    {
                        _onSendDropped?.Invoke(message, e.Message);
                        continue;
                    }
                    if (output.UnflushedBytes >= FlushThresholdBytes)
                    {
                        if ((await output.FlushAsync(_closing.Token).ConfigureAwait(false)).IsCompleted) return;
                    }
                }
                if ((await output.FlushAsync(_closing.Token).ConfigureAwait(false)).IsCompleted) return;
            }
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            if (e is OperationCanceledException) Close(CloseReason.Done, "closed");
            else Close(CloseReason.SendFailed, "send failed: " + e.Message);
        }
    }

    private async Task ReadLoopAsync(IConnectionHandler handler)
    {
        var input = _transport.Input;
        var close = new ConnectionClose(CloseReason.ClosedByPeer, "connection closed by peer");
        try
        {
            while (true)
            {
                ReadResult result = await input.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    // A handler may close the connection (Leave): stop at once, the buffer is being returned.
                    while (Volatile.Read(ref _closeStarted) == 0 && FrameCodec.TryReadFrame(ref buffer, _maxFrameBytes, out var payload))
                    {
                        handler.OnMessage(this, FrameCodec.Decode(payload));
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted || result.IsCanceled) break;
            }
        }
        catch (ProtocolException e)
        {
            close = new ConnectionClose(CloseReason.ProtocolError, "protocol error: " + e.Message);
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            // Cancelled or disposed means someone closed it on purpose: their reason stands.
            close = e is OperationCanceledException or ObjectDisposedException
                ? Closing ?? new ConnectionClose(CloseReason.Done, "closed")
                : new ConnectionClose(CloseReason.ReceiveFailed, "receive failed: " + e.Message);
        }
        catch (Exception e)
        {
            // A bug in a handler must not take the node down: close this connection and say why.
            close = new ConnectionClose(CloseReason.InternalError, "internal error: " + e.GetType().Name + ": " + e.Message);
        }
        Close(close.Reason, close.Detail);
        handler.OnClosed(this, Closing ?? close);
    }

    private static bool IsConnectionError(Exception e)
        => e is OperationCanceledException or ObjectDisposedException or IOException or SocketException or InvalidOperationException;
}
