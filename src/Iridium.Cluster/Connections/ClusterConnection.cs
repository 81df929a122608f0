using System.Buffers;
using System.Collections.Concurrent;
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
/// frame in each buffer before reading again. Sending has no thread of its own: whoever queues a
/// frame and finds nobody writing becomes the writer and drains the queue into the socket on its
/// own thread, flushing once per batch; whoever finds a writer at work leaves the frame to it.
/// A message is thus on the wire when <see cref="TrySend"/> returns, without the hand-off to
/// another thread that a small exchange (a process's SEND and its answer) would pay twice per
/// round trip, and a busy connection still batches: everything queued while one flush ran goes
/// out in the next. On an encrypted connection the small frames the writer finds queued together
/// are sealed as one (<see cref="SealedBatch"/>): one AEAD message per write rather than one per
/// message; the read loop opens it once and hands its messages on in order. Only a flush the
/// socket cannot take at once (the peer reads slowly) goes on asynchronously, on the thread pool,
/// still as the one writer. Any malformed input closes this connection only.
/// <para>
/// The queue is bounded in bytes, and it is the one place every service's traffic to this
/// connection goes through: what the other side is owed but has not read counts against
/// <see cref="QueueLimitBytes"/> (a base, plus the allowances services took for streams they
/// opened, <see cref="Allow"/>). Past it the connection is closed: a peer that grants credit or
/// asks questions and never reads is cut off instead of growing the node.
/// </para>
/// </summary>
internal sealed class ClusterConnection : Iridium.Vm.IBatchedWrite
{
    /// <summary>Bytes queued for a connection before it has started (handshake replies, Superseded).</summary>
    public const long HandshakeQueueBytes = 1 << 20;
    private const int FlushThresholdBytes = 64 * 1024;

    /// <summary>
    /// A frame at least this large, on an encrypted connection, is sealed and written by a
    /// thread-pool thread rather than by the thread that queued it. Sealing costs about a
    /// nanosecond of CPU per byte (AES-256-GCM, docs/cluster.md "Encryption"): written where it
    /// is queued, a streaming program's own thread sealed each output chunk it filled, and a
    /// relay's read loop sealed each chunk it had just opened, so producing and encrypting took
    /// turns on one core. Handed over, they run on two at once. Smaller frames (answers,
    /// heartbeats) are still written at once: for them a hand-over costs more than the seal.
    /// </summary>
    private const int SealElsewhereBytes = 16 * 1024;

    private readonly IConnectionTransport _transport;
    private readonly ConcurrentQueue<QueuedFrame> _outbox = new();
    // Who may touch the transport's output: nobody (Free), the one writer (Busy, see Drain), or,
    // once sending has ended for good, whoever disposes the transport (Ended). Close disposes it
    // only when no writer is at work: completing the pipe writer under a frame being sealed into
    // it would hand its buffer back to the pool mid-write.
    private const int WriterFree = 0, WriterBusy = 1, WriterEnded = 2;
    private int _writer;
    private int _sendEnded;               // 1 once no frame may be queued (closing, or draining to close)
    private int _sending;                 // 1 from Start on: frames queued before wait for it
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
    private readonly ArrivedMessages _arrived = new();
    private long _sealedBatches;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _maxFrameBytes;
    private int _closeStarted;
    private readonly TaskCompletionSource _sendDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<IClusterMessage, string>? _onSendDropped;
    private FrameCipher? _cipher;

    public ClusterConnection(IConnectionTransport transport, bool isOutbound, int maxFrameBytes)
    {
        _transport = transport;
        IsOutbound = isOutbound;
        // Until the peer has authenticated it may only send handshake-sized frames.
        _maxFrameBytes = Math.Min(maxFrameBytes, ProtocolLimits.HandshakeFrameBytes);
        AuthenticatedMaxFrameBytes = maxFrameBytes;
    }

    /// <summary>Bytes queued for sending and not yet handed to the transport.</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>The most <see cref="QueuedBytes"/> has been (tests and metrics: what the connection cost at worst).</summary>
    public long PeakQueuedBytes => Volatile.Read(ref _peakQueuedBytes);

    /// <summary>What may be queued before the connection is closed: the base given to <see cref="Start"/> and the allowances taken.</summary>
    public long QueueLimitBytes => Volatile.Read(ref _baseQueueBytes) + Volatile.Read(ref _allowance);

    /// <summary>Frames read since the loops started: a connection whose count does not move is idle.</summary>
    public long FramesReceived => Volatile.Read(ref _framesReceived);

    /// <summary>Frames this connection's writer sealed several at a time (<see cref="SealedBatch"/>): tests see that batching happened.</summary>
    internal long SealedBatches => Volatile.Read(ref _sealedBatches);

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

    /// <summary>
    /// Hands the decoded messages not yet handed on to <paramref name="handler"/>, in order,
    /// stopping when a handler closes the connection (a Leave). Then lets them go.
    /// </summary>
    private void DeliverArrived(IConnectionHandler handler)
    {
        while (Volatile.Read(ref _closeStarted) == 0 && _arrived.TryTake(out var message))
        {
            Interlocked.Increment(ref _framesReceived);
            handler.OnMessage(this, message);
        }
        _arrived.Clear();
    }

    /// <summary>
    /// Reads one message (handshake phase, and clients, which never start the loops): the next of
    /// the last sealed batch read, or the next frame's. Null at end of stream;
    /// <see cref="ProtocolException"/> on a bad frame.
    /// </summary>
    public async ValueTask<IClusterMessage?> ReadAsync(CancellationToken ct)
    {
        if (_arrived.TryTake(out var left)) return left;
        var input = _transport.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool complete = false;
            try
            {
                complete = FrameCodec.TryReadFrame(ref buffer, IncomingFrameCap, out var payload);
                if (complete)
                {
                    _arrived.Decode(payload, _cipher, _maxFrameBytes);
                    if (_arrived.TryTake(out var first)) return first;
                }
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

    /// <summary>
    /// The first <paramref name="bytes"/> bytes that have arrived, left unread for the next
    /// <see cref="ReadAsync"/> (handshake phase): the start of a frame whose rest is still on its
    /// way (<see cref="ChannelEncryption.DialAsync"/>). Null when the stream ends first, when a
    /// whole frame shorter than that has arrived, or when a read message is waiting already.
    /// </summary>
    public async ValueTask<byte[]?> PeekAsync(int bytes, CancellationToken ct)
    {
        if (_arrived.HasNext) return null;
        var input = _transport.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= bytes)
            {
                var start = buffer.Slice(0, bytes).ToArray();
                input.AdvanceTo(buffer.Start);
                return start;
            }
            bool shortFrame = FrameCodec.TryReadFrame(ref buffer, IncomingFrameCap, out _);
            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (shortFrame || result.IsCompleted || result.IsCanceled) return null;
        }
    }

    /// <summary>Writes and flushes bytes that are (part of) a frame already made (handshake phase: <see cref="ChannelEncryption.AnswerAsync"/>).</summary>
    public async ValueTask WriteFramedAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        WriteFramed(bytes.Span);
        await _transport.Output.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Puts bytes of a frame already made in the output, unflushed (handshake phase).</summary>
    public void WriteFramed(ReadOnlySpan<byte> bytes) => _transport.Output.Write(bytes);

    /// <summary>Writes and flushes one frame (handshake phase, before <see cref="Start"/>).</summary>
    public ValueTask WriteAsync(IClusterMessage message, CancellationToken ct) => WriteAsync(message, [], ct);

    /// <summary>
    /// Writes <paramref name="first"/> and then each of <paramref name="then"/>, each its own frame,
    /// and flushes them once (handshake phase): a client's Proof with its first requests behind
    /// it, which reach the peer in one segment and are read only once the handshake has admitted it.
    /// </summary>
    public async ValueTask WriteAsync(IClusterMessage first, IReadOnlyList<IClusterMessage> then, CancellationToken ct)
    {
        WriteFrame(first, _transport.Output);
        foreach (var message in then) WriteFrame(message, _transport.Output);
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
    /// Starts the read loop and sending what is queued. <paramref name="onSendDropped"/> hears about messages too
    /// large to send; <paramref name="queueBytes"/> is the base of <see cref="QueueLimitBytes"/>.
    /// With <paramref name="readOnlyAsFastAsAnswered"/> (clients), a connection with no stream open
    /// that has half its base queued unread is not read further until that drains: its questions
    /// wait in its own socket, not as answers in this node's memory.
    /// With <paramref name="readHere"/> the read loop begins on the calling thread, which hands on
    /// what has arrived already before it returns: a client's request sent right behind its
    /// handshake (<see cref="Handshake.DialAsync"/>'s <c>behindProof</c>) is handled at once, not
    /// after a thread-pool thread has woken for it (measured: the wake was a third of a millisecond
    /// between the HelloAck and an exec's start on a quiet machine). Only for a caller that may run
    /// handlers, as a read loop does (no lock held, nothing that must not wait behind them).
    /// </summary>
    public void Start(IConnectionHandler handler, Action<IClusterMessage, string>? onSendDropped = null, long queueBytes = HandshakeQueueBytes, bool readOnlyAsFastAsAnswered = false, bool readHere = false)
    {
        MarkAuthenticated();
        Volatile.Write(ref _baseQueueBytes, queueBytes);
        Volatile.Write(ref _readPauseBytes, readOnlyAsFastAsAnswered ? queueBytes / 2 : 0);
        _onSendDropped = onSendDropped;
        Volatile.Write(ref _sending, 1);
        _started.TrySetResult();
        // What was queued during the handshake goes now, off the caller's thread.
        if (!_outbox.IsEmpty || Volatile.Read(ref _sendEnded) != 0) ThreadPool.UnsafeQueueUserWorkItem(static c => c.Drain(), this, preferLocal: false);
        if (readHere) _ = ReadLoopAsync(handler);
        else _ = Task.Run(() => ReadLoopAsync(handler));
    }

    /// <summary>
    /// Queues a message; false when the connection is closed. A message that would take the queue
    /// past <see cref="QueueLimitBytes"/> closes the connection (the other side does not read what
    /// it is owed) and is not sent. <paramref name="returns"/>: an allowance given back once this
    /// message has been written (the end of the stream it was taken for).
    /// </summary>
    public bool TrySend(IClusterMessage message, long returns = 0) => TrySend(message, returns, batched: false);

    /// <summary>
    /// <see cref="TrySend"/> for a process's message: on a scheduler thread it is written when
    /// that thread's batch of slices ends (<see cref="Iridium.Vm.SchedulerBatch"/>), with whatever
    /// else its processes sent this connection meanwhile; elsewhere at once.
    /// </summary>
    public bool TrySendBatched(IClusterMessage message) => TrySend(message, 0, batched: true);

    void Iridium.Vm.IBatchedWrite.WriteBatch() => Drain();

    private bool TrySend(IClusterMessage message, long returns, bool batched)
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
        if (TryQueue(frame))
        {
            NotePeak(queued);
            if (!batched || !Iridium.Vm.SchedulerBatch.TryDefer(this)) DrainAfterQueuing(frame.Bytes);
            return true;
        }
        Interlocked.Add(ref _queuedBytes, -frame.Bytes);
        frame.Discard();
        return false;
    }

    /// <summary>
    /// Writes what is queued, on this thread, or on the thread pool for a large frame to seal
    /// (<see cref="SealElsewhereBytes"/>) when no writer is at work already (one that is takes the
    /// frame too).
    /// </summary>
    private void DrainAfterQueuing(int frameBytes)
    {
        if (frameBytes >= SealElsewhereBytes && _cipher is not null && Volatile.Read(ref _writer) == WriterFree && Volatile.Read(ref _sending) != 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static connection => connection.Drain(), this, preferLocal: false);
            return;
        }
        Drain();
    }

    /// <summary>Adds a frame to the queue unless sending has ended (its bytes are counted already).</summary>
    private bool TryQueue(in QueuedFrame frame)
    {
        if (Volatile.Read(ref _sendEnded) != 0) return false;
        _outbox.Enqueue(frame);
        // Closed meanwhile, and its queue already given back: this frame goes back too.
        if (Volatile.Read(ref _closeStarted) != 0 && Volatile.Read(ref _writer) == WriterEnded) DiscardQueued();
        return true;
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
                    if (TryQueue(frame))
                    {
                        NotePeak(total);
                        Drain();
                        return;
                    }
                    Interlocked.Add(ref _queuedBytes, -frame.Bytes);
                    frame.Discard();
                    throw new ChannelClosedException();
                }
                room = (_roomFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                // A frame that left the queue between the look above and this wait's making found
                // no one waiting (Dequeued reads _roomFreed after taking its bytes off): look again,
                // after a full fence, or this sender could wait for a dequeue that never comes.
                Interlocked.MemoryBarrier();
                long now = Volatile.Read(ref _queuedBytes);
                if (now == 0 || now + frame.Bytes <= QueueLimitBytes) continue;
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
        Volatile.Write(ref _sendEnded, 1);
        _closing.Cancel();
        // A writer at work sees the close after its frame (or its flush is cancelled) and ends
        // sending itself, disposing the transport then; otherwise sending ends here.
        int writer = Interlocked.CompareExchange(ref _writer, WriterBusy, WriterFree);
        if (writer == WriterFree) EndSending();
        else if (writer == WriterEnded) DisposeTransport();
        // Done already (no writer was at work: always so for a command-line client): closed now.
        // A continuation would be queued to the thread pool, and starting the pool (a worker and
        // its gate thread) was a quarter of a millisecond of every client command's exit.
        if (_sendDone.Task.IsCompleted) _closed.TrySetResult();
        else _sendDone.Task.ContinueWith(_ => _closed.TrySetResult(), TaskScheduler.Default);
    }

    /// <summary>
    /// Sends what is queued (a Leave, say), signals end of stream, gives the peer up to
    /// <paramref name="linger"/> to close its side, then closes.
    /// </summary>
    public async Task CloseGracefullyAsync(CloseReason reason, string detail, TimeSpan linger)
    {
        Volatile.Write(ref _sendEnded, 1);
        using var deadline = new CancellationTokenSource(linger);
        try
        {
            // A connection replaced between its handshake and Start still owes the peer what was queued.
            await _started.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
            Drain();
            await _sendDone.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
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

    /// <summary>
    /// Writes the queue to the transport unless another thread does already (that one takes what
    /// was just queued too: it looks at the queue again after letting go). Returns once the queue
    /// is empty and flushed, or once a flush must wait for the socket: then the rest of the
    /// drain continues on the thread pool when the flush completes, still holding the writer's
    /// place, so frames stay in order and the cipher's nonces in step.
    /// </summary>
    private void Drain()
    {
        while (Volatile.Read(ref _sending) != 0 && Interlocked.CompareExchange(ref _writer, WriterBusy, WriterFree) == WriterFree)
        {
            if (!TryWriteQueued(out var pending)) return;            // ended, or a flush goes on without us
            if (pending is { } flush)
            {
                _ = FinishFlushThenDrainAsync(flush);
                return;
            }
            // A frame queued, or sending ended, after the queue looked empty and before the writer
            // let go found the writer busy and left it to us: look again. (A full fence: the look
            // must not move before the letting go, or both sides could miss each other.)
            Interlocked.Exchange(ref _writer, WriterFree);
            if (_outbox.IsEmpty && Volatile.Read(ref _sendEnded) == 0) return;
        }
    }

    /// <summary>
    /// As the writer: writes every queued frame and flushes. False when sending has ended (the
    /// writer's place is never given back then). <paramref name="pending"/>: a flush the socket
    /// did not complete at once, to wait for before anything more is written.
    /// </summary>
    private bool TryWriteQueued(out ValueTask<FlushResult>? pending)
    {
        pending = null;
        var output = _transport.Output;
        try
        {
            while (Volatile.Read(ref _closeStarted) == 0 && _outbox.TryDequeue(out var frame))
            {
                if (_cipher is null)
                {
                    frame.WriteTo(output, AuthenticatedMaxFrameBytes);
                    Dequeued(frame);
                }
                else if (SealedBatch.Joins(frame) && _outbox.TryPeek(out var next) && SealedBatch.Joins(next))
                {
                    WriteSealedBatch(frame, output);
                }
                else
                {
                    frame.WriteSealedTo(output, _cipher, AuthenticatedMaxFrameBytes);
                    Dequeued(frame);
                }
                if (output.UnflushedBytes >= FlushThresholdBytes && !Flushed(output.FlushAsync(_closing.Token), ref pending)) return pending is not null;
            }
            if (Volatile.Read(ref _closeStarted) == 0 && output.UnflushedBytes > 0 && !Flushed(output.FlushAsync(_closing.Token), ref pending)) return pending is not null;
            if (Volatile.Read(ref _closeStarted) != 0 || (Volatile.Read(ref _sendEnded) != 0 && _outbox.IsEmpty))
            {
                EndSending();
                return false;
            }
            return true;
        }
        catch (Exception e)
        {
            FailedToSend(e);
            return false;
        }
    }

    /// <summary>
    /// As the writer: seals <paramref name="first"/> and the small frames queued right behind it
    /// as one <see cref="SealedBatch"/>, up to its size. Only the writer takes frames off the
    /// queue, so the frame looked at is the one then taken.
    /// </summary>
    private void WriteSealedBatch(QueuedFrame first, IBufferWriter<byte> output)
    {
        var batch = _cipher!.NewBatch();
        int bytes = 1;
        var frame = first;
        while (true)
        {
            frame.WriteTo(batch, AuthenticatedMaxFrameBytes);
            bytes += frame.Bytes;
            Dequeued(frame);
            if (!_outbox.TryPeek(out var next) || !SealedBatch.Joins(next) || bytes + next.Bytes > SealedBatch.MaxBytes || !_outbox.TryDequeue(out frame)) break;
        }
        _cipher.SealBatch(output);
        Interlocked.Increment(ref _sealedBatches);
    }

    /// <summary>True when <paramref name="flush"/> is done and sending goes on; otherwise it is <paramref name="pending"/>, or sending has ended.</summary>
    private bool Flushed(ValueTask<FlushResult> flush, ref ValueTask<FlushResult>? pending)
    {
        if (!flush.IsCompleted)
        {
            pending = flush;
            return false;
        }
        if (!flush.Result.IsCompleted) return true;
        // The pipe is done with: the connection is closing.
        EndSending();
        return false;
    }

    /// <summary>As the writer: waits for a flush the socket could not take at once, then drains on as <see cref="Drain"/> does.</summary>
    private async Task FinishFlushThenDrainAsync(ValueTask<FlushResult> flush)
    {
        while (true)
        {
            try
            {
                if ((await flush.ConfigureAwait(false)).IsCompleted)
                {
                    EndSending();
                    return;
                }
            }
            catch (Exception e)
            {
                FailedToSend(e);
                return;
            }
            while (true)
            {
                if (!TryWriteQueued(out var pending)) return;
                if (pending is { } more)
                {
                    flush = more;
                    break;
                }
                Interlocked.Exchange(ref _writer, WriterFree);
                if (_outbox.IsEmpty && Volatile.Read(ref _sendEnded) == 0) return;
                if (Interlocked.CompareExchange(ref _writer, WriterBusy, WriterFree) != WriterFree) return;
            }
        }
    }

    /// <summary>As the writer: a write or flush failed. The connection closes, and sending ends.</summary>
    private void FailedToSend(Exception e)
    {
        if (e is OperationCanceledException) Close(CloseReason.Done, "closed");
        else if (IsConnectionError(e)) Close(CloseReason.SendFailed, "send failed: " + e.Message);
        // A bug in encoding must not reach whoever queued the frame (a process's SEND): close and say why.
        else Close(CloseReason.InternalError, "internal error: " + e.GetType().Name + ": " + e.Message);
        EndSending();
    }

    /// <summary>
    /// As the writer, for good: nothing is written any more, and whoever waits for sending to end
    /// hears it. The transport is free from here: closing disposes it now, or when Close comes.
    /// </summary>
    private void EndSending()
    {
        Volatile.Write(ref _sendEnded, 1);
        // A full fence before the look: a Close that found the writer busy must be seen here, or see this.
        Interlocked.Exchange(ref _writer, WriterEnded);
        if (Volatile.Read(ref _closeStarted) != 0) DisposeTransport();
        _sendDone.TrySetResult();
    }

    /// <summary>
    /// Closing, with nobody writing: the transport goes (may run twice, disposing is idempotent),
    /// and what is still queued goes back now, not when the collector finds the connection.
    /// </summary>
    private void DisposeTransport()
    {
        _transport.Dispose();
        DiscardQueued();
    }

    private void DiscardQueued()
    {
        while (_outbox.TryDequeue(out var left))
        {
            Dequeued(left);
            left.Discard();
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
                // This thread runs the slices of the processes these frames wake while nothing else
                // is queued (no scheduler thread is woken for them), and their answers leave in one write.
                bool lent = Iridium.Vm.LentThread.Lend();
                try
                {
                    // What the handshake read past its last message (a batch's rest) goes first.
                    DeliverArrived(handler);
                    // A handler may close the connection (Leave): stop at once, the buffer is being returned.
                    while (Volatile.Read(ref _closeStarted) == 0 && FrameCodec.TryReadFrame(ref buffer, IncomingFrameCap, out var payload))
                    {
                        _arrived.Decode(payload, _cipher, _maxFrameBytes);
                        DeliverArrived(handler);
                        if (answersPiledUp = AnswersPiledUp()) break;
                    }
                }
                finally
                {
                    try
                    {
                        // Paused: what is left is unexamined, so the next read returns it at once.
                        // (Throws when a handler closed the connection: the pipe is completed.)
                        if (answersPiledUp) input.AdvanceTo(buffer.Start);
                        else input.AdvanceTo(buffer.Start, buffer.End);
                    }
                    finally
                    {
                        // Whatever happened, the thread is given back (a pool thread left lent would hold every process it wakes later).
                        if (lent) Iridium.Vm.LentThread.Return();
                    }
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
