using System.Globalization;
using System.Net.Sockets;
using Iridium.Repl.Engine;
using Iridium.Repl.Programs;

namespace Iridium.Repl.Remote;

/// <summary>
/// One remote connection (docs/reference/runtime.md, "The remote REPL"): log in by the encrypted
/// handshake (<see cref="RemoteHandshake"/>, keyed by <paramref name="psk"/>, the cookie's), send
/// the banner and <c>&gt;&gt;&gt; </c>, then for each line execute it on this session's own REPL
/// (own VM, own symbols, own history), write its output lines and a new prompt; every byte both
/// ways goes through the session's <see cref="SealedStream"/>. <c>!quit</c>, end of stream, an
/// oversize line or the idle timeout end this session only. Once the client has proved it knows
/// the cookie, <paramref name="admit"/> decides whether it gets a session (null) or is told why
/// not (the session slots are taken). The server has sent the greeting already, at accept, and
/// hears how far the login has got through <paramref name="progress"/>;
/// <paramref name="log"/> takes this session's log lines.
/// </summary>
internal sealed class RemoteSession(Socket socket, RemotePeer peer, RemoteServerOptions options, byte[] psk, LoginProgress progress, Func<string?> admit, Action<string> log, CancellationToken serverStopping)
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: false);
    private CancellationTokenSource? _idle;

    /// <summary>
    /// The next line, or the end of the session: end of stream, a line too long, or (when
    /// <paramref name="idle"/> fires) the idle marker. <paramref name="interrupt"/> firing first
    /// (Ctrl-C while a question waits for its answer) yields null.
    /// </summary>
    internal static async Task<RemoteInput.Received?> ReadLineAsync(RemoteInput input, CancellationToken idle, CancellationToken interrupt = default)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(idle, interrupt);
        try
        {
            return await input.ReadAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (interrupt.IsCancellationRequested && !idle.IsCancellationRequested) return null;
            return new RemoteInput.Received(new LineRead(LineReadStatus.EndOfStream, IdleMarker), 0);
        }
    }

    private const string IdleMarker = "\0idle";

    /// <summary>The message the user gets when a read ended the session, or null for a plain end of stream.</summary>
    internal static string? Describe(LineRead read) => read.Status switch
    {
        LineReadStatus.TooLong => "line too long; closing the session",
        LineReadStatus.Tampered => "the input was altered on the way (a sealed frame did not open); closing the session",
        LineReadStatus.EndOfStream when read.Text == IdleMarker => "idle for too long; closing the session",
        _ => null,
    };

    public async Task RunAsync()
    {
        try
        {
            await ServeAsync().ConfigureAwait(false);
        }
        finally
        {
            _idle?.Dispose();
        }
    }

    private async Task ServeAsync()
    {
        socket.NoDelay = true;
        socket.SendTimeout = (int)options.SendTimeout.TotalMilliseconds;
        if (await AuthenticateAsync().ConfigureAwait(false) is not { } channel) return;
        try
        {
            await ServeLoggedInAsync(channel).ConfigureAwait(false);
        }
        finally
        {
            // The sealed end: the client reads a close, not a cut.
            channel.CompleteWrites();
        }
    }

    private async Task ServeLoggedInAsync(SealedStream channel)
    {
        var input = new RemoteInput(channel, options.MaxLineBytes);
        var terminal = new RemoteTerminal(channel, interrupt => ReadLineAsync(input, RestartIdleTimer(), interrupt));
        // Only an authenticated connection takes one of the session slots (logins have their own budget).
        if (admit() is { } refusal)
        {
            terminal.WriteLine(refusal);
            terminal.Flush();
            log($"remote session {peer.EndPoint}: {refusal}");
            return;
        }
        options.Log?.WriteLine($"remote session {socket.RemoteEndPoint}: logged in");

        // From here on the input is read ahead of the session, so interrupts arrive while lines run.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        var pump = input.PumpAsync(ended.Token);
        try
        {
            await ServeLinesAsync(input, terminal, ended).ConfigureAwait(false);
        }
        finally
        {
            ended.Cancel();   // stops the pump and interrupts the VMs this session spawned
            await pump.ConfigureAwait(false);
        }
    }

    private static void EndSession(CancellationTokenSource ended)
    {
        try
        {
            ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session has ended already.
        }
    }

    private async Task ServeLinesAsync(RemoteInput input, RemoteTerminal terminal, CancellationTokenSource ended)
    {
        var lifetime = ended.Token;
        using var session = new ReplSession(terminal, new ReplSessionOptions
        {
            Alias = null,
            MaxSteps = options.MaxSteps,
            Files = new SandboxedProgramFiles(options.ProgramDirectory),
            Processes = options.Processes,
            Cluster = null,
            IsRemote = true,
            Lifetime = lifetime,
            MaxHeapBytes = options.MaxHeapBytes,
            HeapBudget = options.HeapBudget,
            MaxOutputBytes = options.MaxOutputBytes,
        });
        // The session is a process of the host: `iridium kill` (or a kill of its group) ends it.
        session.ProcessKilled += () => EndSession(ended);
        if (session.Process is null)
        {
            terminal.WriteLine($"no session: the host's process limit ({options.Processes.Limits.MaxProcesses}, --max-processes) is reached; try again later");
            terminal.Flush();
            log($"remote session {peer.EndPoint}: refused, the process limit is reached");
            return;
        }
        foreach (var line in ReplText.Banner(options.Version)) terminal.WriteLine(line);
        terminal.Prompt();
        while (!terminal.Broken)
        {
            if (await ReadLineAsync(input, RestartIdleTimer()).ConfigureAwait(false) is not { } received || lifetime.IsCancellationRequested) return;
            var read = received.Read;
            if (read.Status != LineReadStatus.Line)
            {
                if (Describe(read) is { } reason) Goodbye(terminal, reason, read);
                return;
            }
            using var line = input.Start(received.Number, lifetime);
            var outcome = await session.ExecuteAsync(read.Text, line.Token).ConfigureAwait(false);
            if (terminal.CloseReason is { } closing)
            {
                terminal.WriteLine(closing);
                terminal.Flush();
                return;
            }
            if (outcome == ReplOutcome.Quit)
            {
                terminal.Flush();
                return;
            }
            terminal.Prompt();
        }
    }

    private void Goodbye(RemoteTerminal terminal, string reason, LineRead read)
    {
        string detail = read.Status switch
        {
            LineReadStatus.TooLong => $" (the limit is {options.MaxLineBytes.ToString(CultureInfo.InvariantCulture)} bytes)",
            LineReadStatus.Tampered => "",
            _ => $" (the limit is {options.IdleTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s)",
        };
        terminal.WriteLine(reason + detail);
        terminal.Flush();
        log($"remote session {peer.EndPoint}: {reason}");
    }

    /// <summary>Starts a fresh idle period and returns its token (also cancelled when the server stops).</summary>
    private CancellationToken RestartIdleTimer()
    {
        _idle?.Dispose();
        _idle = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        _idle.CancelAfter(options.IdleTimeout);
        return _idle.Token;
    }

    /// <summary>The handshake within <see cref="RemoteServerOptions.AuthTimeout"/>: the session's channel, or null (a failure worth it is logged).</summary>
    private async Task<SealedStream?> AuthenticateAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);
        timeout.CancelAfter(options.AuthTimeout);
        var result = await RemoteHandshake.AcceptAsync(_stream, psk, progress, () => socket.Shutdown(SocketShutdown.Send), timeout.Token).ConfigureAwait(false);
        // A connection that went without a word (pushed out, timed out) is counted in the
        // server's summary; a wrong cookie or a forged login is worth a line.
        if (result.Failure is { } failure) log($"remote session {peer.EndPoint}: {failure}");
        return result.Channel;
    }
}
