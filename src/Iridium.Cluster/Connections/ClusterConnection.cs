using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;
using Iridium.Crypto;

namespace Iridium.Cluster.Connections;

/// <summary>
/// One framed connection (Orleans' Connection layer). During the handshake the caller reads and
/// writes frames directly; <see cref="Start"/> then runs a read loop, which decodes every complete
/// frame in each buffer before reading again, and a send loop, which drains a bounded queue into
/// the pipe and flushes once per batch — that batching is where the throughput comes from.
/// Any malformed input closes this connection only.
/// <para>
/// The queue is bounded in bytes, and it is the one place every service's traffic to this
/// connection goes through: what the other side is owed but has not read counts against
/// <see cref="QueueLimitBytes"/> (a base, plus the allowances services took for streams they
/// opened, <see cref="Allow"/>). Past it the connection is closed: a peer that grants credit or
/// asks questions and never reads is cut off instead of growing the node.
/// </para>
/// </summary>
internal sealed class ClusterConnection
{
    /// <summary>Bytes queued for a connection before it has started (handshake replies, Superseded).</summary>
    public const long HandshakeQueueBytes = 1 << 20;
    private const int FlushThresholdBytes = 64 * 1024;

    private readonly IConnectionTransport _transport;
    private readonly Channel<QueuedFrame> _outbox;
    private readonly Lock _roomGate = new();
    private TaskCompletionSource? _roomFreed;
    private long _queuedBytes;
    private long _peakQueuedBytes;
    private int _heldMuch;                // 1 once the queue has held OutboxMemory.HighWaterBytes, until it empties
    private long _allowance;
    private long _baseQueueBytes = HandshakeQueueBytes;
    private long _readPauseBytes;
    private long _framesReceived;
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _maxFrameBytes;
    private int _closeStarted;
    private Task _sendLoop = Task.CompletedTask;
    // 1 while the send loop owns the transport's output: Close then leaves disposing the transport
    // to the loop's end, so the pipe writer is never completed (its buffers returned to the pool)
    // under a frame being written into it.
    private int _sendLoopWriting;
    private Action<IClusterMessage, string>? _onSendDropped;
    private FrameCipher? _cipher;

    public ClusterConnection(IConnectionTransport transport, bool isOutbound, int maxFrameBytes)
    {
        _transport = transport;
        IsOutbound = isOutbound;
        // Until the peer has authenticated it may only send handshake-sized frames.
        _maxFrameBytes = Math.Min(maxFrameBytes, ProtocolLimits.HandshakeFrameBytes);
        AuthenticatedMaxFrameBytes = maxFrameBytes;
        // Bounded in bytes by TrySend and SendAsync, not in count by the channel.
        _outbox = Channel.CreateUnbounded<QueuedFrame>(new UnboundedChannelOptions { SingleReader = true });
    }

    /// <summary>Bytes queued for sending and not yet handed to the transport.</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>The most <see cref="QueuedBytes"/> has been (tests and metrics: what the connection cost at worst).</summary>
    public long PeakQueuedBytes => Volatile.Read(ref _peakQueuedBytes);

    /// <summary>What may be queued before the connection is closed: the base given to <see cref="Start"/> and the allowances taken.</summary>
    public long QueueLimitBytes => Volatile.Read(ref _baseQueueBytes) + Volatile.Read(ref _allowance);

    /// <summary>Frames read since the loops started: a connection whose count does not move is idle.</summary>
    public long FramesReceived => Volatile.Read(ref _framesReceived);

    /// <summary>
    /// Raises the bound by <paramref name="bytes"/> for a stream that may legitimately have that
    /// much in flight (an exec window); the stream's last frame hands it back (see <see cref="TrySend"/>).
    /// </summary>
    public void Allow(long bytes) => Interlocked.Add(ref _allowance, bytes);

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

    /// <summary>Ends the connection when the other side's host vanishes (see <see cref="IConnectionTransport.KeepAlive"/>).</summary>
    public void KeepAlive(TimeSpan within) => _transport.KeepAlive(within);

    /// <summary>The transport (tests look at its socket).</summary>
    internal IConnectionTransport Transport => _transport;

    /// <summary>Raises the frame cap from the handshake limit to the configured one.</summary>
    public void MarkAuthenticated() => _maxFrameBytes = AuthenticatedMaxFrameBytes;

    /// <summary>Whether frames are encrypted (after the Noise handshake; false only for a plain-text peer of an older build).</summary>
    public bool IsEncrypted => _cipher is not null;

    /// <summary>
    /// From now on every frame both ways is sealed with <paramref name="keys"/> (handshake phase,
    /// after the Noise handshake's last message and before anything else is written or read).
    /// </summary>
    public void Encrypt(TransportKeys keys) => _cipher = new FrameCipher(keys);

    /// <summary>The cap on a frame's length as it arrives: a sealed frame carries its tag too.</summary>
    private int IncomingFrameCap => _cipher is null ? _maxFrameBytes : _maxFrameBytes + FrameCipher.TagBytes;

    private IClusterMessage Decode(in ReadOnlySequence<byte> payload)
    {
        if (_cipher is null) return FrameCodec.Decode(payload);
        byte[] plaintext = _cipher.Open(payload, out int length);
        // Program output keeps the opened buffer as its bytes (no second copy); the chunk hands it back.
        if (ExecOutputCodec.TryDecodeInPlace(plaintext, length, out var output)) return output!;
        try
        {
            // Decoding copies what it keeps, so the buffer goes back at once.
            return FrameCodec.Decode(new ReadOnlySequence<byte>(plaintext, 0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

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
                complete = FrameCodec.TryReadFrame(ref buffer, IncomingFrameCap, out var payload);
                if (complete) return Decode(payload);
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
        WriteFrame(message, _transport.Output);
        await _transport.Output.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One frame as this connection puts it on the wire (sealed once encrypted), into <paramref name="output"/>.</summary>
    internal void WriteFrame(IClusterMessage message, IBufferWriter<byte> output)
    {
        if (_cipher is null)
        {
            FrameCodec.Write(output, message, _scratch, int.MaxValue);
            return;
        }
        FrameCodec.Write(_cipher.Plaintext, message, _scratch, int.MaxValue);
        _cipher.SealPlaintext(output);
    }

    /// <summary>
    /// Starts the read and send loops. <paramref name="onSendDropped"/> hears about messages too
    /// large to send; <paramref name="queueBytes"/> is the base of <see cref="QueueLimitBytes"/>.
    /// With <paramref name="readOnlyAsFastAsAnswered"/> (clients), a connection with no stream open
    /// that has half its base queued unread is not read further until that drains: its questions
    /// wait in its own socket, not as answers in this node's memory.
    /// </summary>
    public void Start(IConnectionHandler handler, Action<IClusterMessage, string>? onSendDropped = null, long queueBytes = HandshakeQueueBytes, bool readOnlyAsFastAsAnswered = false)
    {
        MarkAuthenticated();
        Volatile.Write(ref _baseQueueBytes, queueBytes);
        Volatile.Write(ref _readPauseBytes, readOnlyAsFastAsAnswered ? queueBytes / 2 : 0);
        _onSendDropped = onSendDropped;
        Volatile.Write(ref _sendLoopWriting, 1);
        _sendLoop = Task.Run(SendLoopAsync);
        _ = Task.Run(() => ReadLoopAsync(handler));
        _started.TrySetResult();
    }

    /// <summary>
    /// Queues a message; false when the connection is closed. A message that would take the queue
    /// past <see cref="QueueLimitBytes"/> closes the connection (the other side does not read what
    /// it is owed) and is not sent. <paramref name="returns"/>: an allowance given back once this
    /// message has been written (the end of the stream it was taken for).
    /// </summary>
    public bool TrySend(IClusterMessage message, long returns = 0)
    {
        if (!TryEncode(message, returns, out var frame)) return true;
        long queued = Interlocked.Add(ref _queuedBytes, frame.Bytes);
        long limit = QueueLimitBytes;
        // One frame alone always fits: the limit bounds what piles up, not what a frame may be.
        if (queued > limit && queued != frame.Bytes)
        {
            Interlocked.Add(ref _queuedBytes, -frame.Bytes);
            frame.Discard();
            Close(CloseReason.NotReading, $"closed: {queued - frame.Bytes} bytes queued unread, and the limit is {limit}");
            return false;
        }
        if (_outbox.Writer.TryWrite(frame))
        {
            NotePeak(queued);
            return true;
        }
        Interlocked.Add(ref _queuedBytes, -frame.Bytes);
        frame.Discard();
        return false;
    }

    /// <summary>
    /// Queues a message, waiting while the queue is over <see cref="QueueLimitBytes"/> (back-pressure
    /// for bulk senders). Throws <see cref="ChannelClosedException"/> when the connection is closed.
    /// </summary>
    public async ValueTask SendAsync(IClusterMessage message, CancellationToken ct = default)
    {
        if (!TryEncode(message, 0, out var frame)) return;
        while (true)
        {
            Task room;
            lock (_roomGate)
            {
                long queued = Volatile.Read(ref _queuedBytes);
                if (queued == 0 || queued + frame.Bytes <= QueueLimitBytes)
                {
                    long total = Interlocked.Add(ref _queuedBytes, frame.Bytes);
                    if (_outbox.Writer.TryWrite(frame))
                    {
                        NotePeak(total);
                        return;
                    }
                    Interlocked.Add(ref _queuedBytes, -frame.Bytes);
                    frame.Discard();
                    throw new ChannelClosedException();
                }
                room = (_roomFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
            try
            {
                await room.WaitAsync(_closing.Token).WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                frame.Discard();
                throw new ChannelClosedException();
            }
            catch
            {
                frame.Discard();
                throw;
            }
        }
    }

    private void NotePeak(long queued)
    {
        if (queued >= OutboxMemory.HighWaterBytes) Volatile.Write(ref _heldMuch, 1);
        long peak = Volatile.Read(ref _peakQueuedBytes);
        while (queued > peak)
        {
            long seen = Interlocked.CompareExchange(ref _peakQueuedBytes, queued, peak);
            if (seen == peak) return;
            peak = seen;
        }
    }

    private bool TryEncode(IClusterMessage message, long returns, out QueuedFrame frame)
    {
        try
        {
            frame = QueuedFrame.Of(message, AuthenticatedMaxFrameBytes, returns);
            return true;
        }
        catch (ProtocolException e)
        {
            frame = default;
            // Too large for a frame: dropped, and whoever it was for hears nothing of it.
            if (returns != 0) Interlocked.Add(ref _allowance, -returns);
            _onSendDropped?.Invoke(message, e.Message);
            return false;
        }
    }

    /// <summary>
    /// A frame left the queue: its bytes and any allowance it ends are no longer held, and a
    /// waiting sender may go on. A queue that held much and is now empty tells
    /// <see cref="OutboxMemory"/>, which gives that memory back to the system.
    /// </summary>
    private void Dequeued(in QueuedFrame frame)
    {
        if (Interlocked.Add(ref _queuedBytes, -frame.Bytes) == 0 && Interlocked.Exchange(ref _heldMuch, 0) != 0) OutboxMemory.Emptied(PeakQueuedBytes);
        if (frame.Returns != 0) Interlocked.Add(ref _allowance, -frame.Returns);
        if (Volatile.Read(ref _roomFreed) is null) return;
        TaskCompletionSource? waiting;
        lock (_roomGate)
        {
            waiting = _roomFreed;
            _roomFreed = null;
        }
        waiting?.TrySetResult();
    }

    /// <summary>Closes at once; queued messages are dropped. Safe to call more than once and from any thread; the first reason sticks.</summary>
    public void Close(CloseReason reason, string detail)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0) return;
        Closing = new ConnectionClose(reason, detail);
        _outbox.Writer.TryComplete();
        _closing.Cancel();
        // The send loop, if it runs, stops at its next await (cancelled) and disposes then.
        if (Interlocked.CompareExchange(ref _sendLoopWriting, 0, 0) == 0) _transport.Dispose();
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
                while (reader.TryRead(out var frame))
                {
                    if (_cipher is null)
                    {
                        frame.WriteTo(output, AuthenticatedMaxFrameBytes);
                    }
                    else
                    {
                        frame.WriteSealedTo(output, _cipher, AuthenticatedMaxFrameBytes);
                    }
                    Dequeued(frame);
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
        finally
        {
            // Close leaves the transport to this loop while it writes (see _sendLoopWriting).
            Interlocked.Exchange(ref _sendLoopWriting, 0);
            if (Closing is not null) _transport.Dispose();
            // What was still queued goes back now, not when the collector finds the connection.
            if (Closing is not null)
            {
                while (reader.TryRead(out var left))
                {
                    Dequeued(left);
                    left.Discard();
                }
            }
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
                bool answersPiledUp = false;
                try
                {
                    // A handler may close the connection (Leave): stop at once, the buffer is being returned.
                    while (Volatile.Read(ref _closeStarted) == 0 && FrameCodec.TryReadFrame(ref buffer, IncomingFrameCap, out var payload))
                    {
                        Interlocked.Increment(ref _framesReceived);
                        handler.OnMessage(this, Decode(payload));
                        if (answersPiledUp = AnswersPiledUp()) break;
                    }
                }
                finally
                {
                    // Paused: what is left is unexamined, so the next read returns it at once.
                    if (answersPiledUp) input.AdvanceTo(buffer.Start);
                    else input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCanceled || (result.IsCompleted && !answersPiledUp)) break;
                if (answersPiledUp) await RoomToReadAsync().ConfigureAwait(false);
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

    /// <summary>
    /// True when reading must wait: half the base is queued and no stream is open (a stream's
    /// over-granted output is for the hard bound to cut off, not for a pause to hold).
    /// </summary>
    private bool AnswersPiledUp()
    {
        long pause = Volatile.Read(ref _readPauseBytes);
        return pause > 0 && Volatile.Read(ref _allowance) == 0 && QueuedBytes > pause;
    }

    private async Task RoomToReadAsync()
    {
        while (AnswersPiledUp())
        {
            Task room;
            lock (_roomGate) room = (_roomFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            // Checked again under the lock's order: a frame sent meanwhile has set the old signal.
            if (!AnswersPiledUp()) return;
            await room.WaitAsync(_closing.Token).ConfigureAwait(false);
        }
    }

    private static bool IsConnectionError(Exception e)
        => e is OperationCanceledException or ObjectDisposedException or IOException or SocketException or InvalidOperationException;
}
