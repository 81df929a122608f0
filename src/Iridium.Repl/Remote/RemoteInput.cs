using System.Threading.Channels;

namespace Iridium.Repl.Remote;

/// <summary>
/// The input of an authenticated remote session, read ahead of the session so that an interrupt
/// (<see cref="InterruptByteFilter"/>) arrives while a line runs: it is the session's Ctrl-C,
/// sent over the session's own authenticated connection. An interrupt cancels every line
/// received before it, the running one (its VM run stops at an instruction boundary) and any
/// queued behind it (their runs stop before they start), and nothing sent after it.
/// Lines read ahead are bounded (<see cref="MaxLinesAhead"/>): when the session falls behind,
/// reading stops and TCP pushes back on the client.
/// </summary>
internal sealed class RemoteInput
{
    /// <summary>Lines a client may send ahead of the one running (a paste, a script piped through nc).</summary>
    public const int MaxLinesAhead = 32;

    private readonly BoundedLineReader _reader;
    private readonly Channel<Received> _lines = Channel.CreateBounded<Received>(
        new BoundedChannelOptions(MaxLinesAhead) { SingleReader = true, SingleWriter = true });
    private long _received;          // lines read from the connection so far (the pump's count)
    private long _interruptedUpTo;   // lines numbered up to this one are interrupted
    private RunningLine? _running;

    /// <param name="connection">The connection's read side; this class filters out the interrupt bytes.</param>
    public RemoteInput(Stream connection, int maxLineBytes)
    {
        _reader = new BoundedLineReader(new InterruptByteFilter(connection, Interrupt), maxLineBytes);
    }

    /// <summary>A line as received, numbered from 1 in the order it arrived.</summary>
    public readonly record struct Received(LineRead Read, long Number);

    /// <summary>
    /// Reads lines into the queue until the connection ends, a line is too long or
    /// <paramref name="stopping"/> is cancelled; the last item is then the end (not a line).
    /// </summary>
    public async Task PumpAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                LineRead read;
                try
                {
                    read = await _reader.ReadLineAsync(stopping).ConfigureAwait(false);
                }
                catch (TamperedException)
                {
                    read = new LineRead(LineReadStatus.Tampered);
                }
                catch (IOException)
                {
                    read = new LineRead(LineReadStatus.EndOfStream);
                }
                long number = read.Status == LineReadStatus.Line ? Interlocked.Increment(ref _received) : 0;
                await _lines.Writer.WriteAsync(new Received(read, number), stopping).ConfigureAwait(false);
                if (read.Status != LineReadStatus.Line) return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The session or the server is stopping.
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    /// <summary>The next line; an end of the input when the pump has stopped. Throws when <paramref name="cancellation"/> fires.</summary>
    public async Task<Received> ReadAsync(CancellationToken cancellation)
    {
        try
        {
            return await _lines.Reader.ReadAsync(cancellation).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return new Received(new LineRead(LineReadStatus.EndOfStream), 0);
        }
    }

    /// <summary>
    /// Marks line <paramref name="number"/> as running until the result is disposed; its token is
    /// cancelled by an interrupt (also one that came before the line started) or by <paramref name="stopping"/>.
    /// </summary>
    public RunningLine Start(long number, CancellationToken stopping)
    {
        var line = new RunningLine(number, stopping, this);
        // Publish the line, then look for an interrupt; Interrupt does the same in the other order,
        // so with the full fences of Interlocked one of the two always sees the other.
        Interlocked.Exchange(ref _running, line);
        if (number <= Interlocked.Read(ref _interruptedUpTo)) line.Cancel();
        return line;
    }

    /// <summary>Called by the filter, on the pump's thread, after every line sent before the interrupt byte was counted.</summary>
    private void Interrupt()
    {
        Interlocked.Exchange(ref _interruptedUpTo, Interlocked.Read(ref _received));
        var running = Volatile.Read(ref _running);
        if (running is not null && running.Number <= Interlocked.Read(ref _interruptedUpTo)) running.Cancel();
    }

    /// <summary>The line a session is running: the token its commands and VM runs observe.</summary>
    public sealed class RunningLine : IDisposable
    {
        private readonly CancellationTokenSource _source;
        private readonly RemoteInput _input;

        internal RunningLine(long number, CancellationToken stopping, RemoteInput input)
        {
            Number = number;
            _input = input;
            _source = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        }

        public long Number { get; }

        public CancellationToken Token => _source.Token;

        internal void Cancel()
        {
            try
            {
                _source.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The line ended meanwhile: nothing left to interrupt.
            }
        }

        public void Dispose()
        {
            Interlocked.CompareExchange(ref _input._running, null, this);
            _source.Dispose();
        }
    }
}
