using System.Diagnostics;
using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;
using Iridium.Crypto;

namespace Iridium.Cluster.Client;

/// <summary>Why a client could not get an answer: unreachable, refused, wrong cookie, bad reply.</summary>
public sealed class ClusterClientException(string message, bool authenticationFailed = false) : Exception(message)
{
    /// <summary>The node and this client do not share the cluster cookie.</summary>
    public bool AuthenticationFailed { get; } = authenticationFailed;

    /// <summary>The node turned the connection away as busy (its handshake slots were full): worth trying again.</summary>
    internal bool Busy { get; init; }
}

/// <summary>How a <see cref="ClusterClient"/> waits for the network.</summary>
public enum ClientIo
{
    /// <summary>Awaits without holding a thread: for a client inside a process that does other work (the REPL's node, tests).</summary>
    Async,

    /// <summary>
    /// Blocks the calling thread, and the socket itself enforces the timeout: for a command-line
    /// tool, which has one conversation and nothing else to do. Its calls complete before they
    /// return, so the process never starts a timer, the socket engine's thread or the thread pool,
    /// whose start-up and hand-offs were most of what one `iridium exec` or `ping` cost beyond
    /// `iridium run` (tools/bench/exec-bench.sh).
    /// </summary>
    Blocking,
}

/// <summary>
/// A program to run as the client connects (`iridium exec`): its request travels right behind the
/// handshake's last message instead of a round trip later. <see cref="On"/>: an alias or "any",
/// null for the node contacted (never "all", which needs the member list first).
/// </summary>
public sealed record ExecAtConnect(ExecSpec Spec, string? On)
{
    /// <summary>
    /// The largest image whose request goes with the Proof. Until the node has admitted the client
    /// the request waits unread in the socket buffers, and a node that refuses closes the
    /// connection with it unread: a request larger than the client's send buffer (tens of KiB on a
    /// new connection, by Linux's defaults) would leave the client blocked in its write, which then
    /// fails with a reset, the refusal unread (a test sending 390 KiB to a busy node saw exactly
    /// that). Small, the whole request is in the kernel's hands at once. A larger program's request
    /// goes right after the handshake, as any other.
    /// </summary>
    public const int MaxImageBytesWithProof = 16 * 1024;

    /// <summary>Whether the request goes with the Proof (else right after the handshake).</summary>
    public bool TravelsWithProof => Spec.Image.Length <= MaxImageBytesWithProof;
}

/// <summary>
/// An authenticated connection to one node, as the `iridium members` and `iridium ping` tools
/// use it: the handshake marks it as a client, so the node answers but never records it as a
/// member. Every wait but a running program's is bounded by the timeout given to
/// <see cref="ConnectAsync"/>; the token passed to a call stops it too.
/// </summary>
public sealed partial class ClusterClient : IAsyncDisposable
{
    /// <summary>The socket of a client that connected (null in-process): blocking reads time out by it.</summary>
    private readonly SocketTransport? _socket;
    private readonly ClusterConnection _connection;
    private readonly string _endpoint;
    private readonly TimeSpan _timeout;
    private readonly ClientIo _io;
    private readonly ExecAtConnect? _execAtConnect;

    private ClusterClient(SocketTransport? socket, ClusterConnection connection, string endpoint, string nodeAlias, TimeSpan timeout, ClientIo io, ExecAtConnect? execAtConnect = null, IReadOnlyList<string>? execTargets = null)
    {
        _socket = socket;
        _connection = connection;
        _endpoint = endpoint;
        NodeAlias = nodeAlias;
        _timeout = timeout;
        _io = io;
        _execAtConnect = execAtConnect;
        ExecTargetsAtConnect = execTargets;
    }

    /// <summary>The alias of the node this client is connected to.</summary>
    public string NodeAlias { get; }

    /// <summary>Where the program given to <see cref="ConnectAsync"/> runs (one target); null when none was given.</summary>
    public IReadOnlyList<string>? ExecTargetsAtConnect { get; }

    /// <summary>
    /// Connects and authenticates within <paramref name="timeout"/>. A node that answers busy (a
    /// flood from this client's address, or many nodes starting at once, holds its handshake
    /// slots) is tried again after a short random pause, doubling, until the timeout is spent.
    /// With <paramref name="exec"/> a small program's request goes out with the handshake's Proof
    /// (<see cref="ExecAtConnect.TravelsWithProof"/>; <see cref="ExecAtConnectAsync"/> follows
    /// it): a node that refuses the handshake, busy or otherwise, never reads it, so a busy node's
    /// next try sends it again and it runs once.
    /// </summary>
    public static async Task<ClusterClient> ConnectAsync(string host, int port, byte[] cookie, TimeSpan timeout, ClientIo io = ClientIo.Async, CancellationToken ct = default, ExecAtConnect? exec = null)
    {
        long start = Stopwatch.GetTimestamp();
        for (int tries = 1; ; tries++)
        {
            TimeSpan left = timeout - Stopwatch.GetElapsedTime(start);
            try
            {
                return await ConnectOnceAsync(host, port, cookie, left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1), io, ct, exec).ConfigureAwait(false);
            }
            catch (ClusterClientException e) when (e.Busy)
            {
                var wait = BusyPause.After(tries, Random.Shared.NextDouble());
                if (Stopwatch.GetElapsedTime(start) + wait >= timeout)
                    throw new ClusterClientException($"{e.Message}; gave up after {tries} tries in {timeout.TotalSeconds:0.#} s");
                if (io == ClientIo.Blocking) Thread.Sleep(wait);
                else await Task.Delay(wait, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The pause before trying a busy node again: 20 ms doubling to 500 ms, each stretched by up to half at random.</summary>
    private static readonly Timing.Backoff BusyPause = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(500));

    /// <summary>
    /// Starts making this process's connection key on a thread of its own (a command-line client,
    /// at start-up): it is ready, or nearly, by the time <see cref="ConnectAsync"/> needs it. That
    /// thread first starts .NET's socket engine (<see cref="SocketTransport.StartSocketEngine"/>),
    /// which the connect would otherwise start on the command's thread; begun first, it is done
    /// before the connect needs it, rather than still starting when the key was made first (then
    /// the connect waited for it, perf trace: a third of a millisecond on a quiet machine).
    /// </summary>
    public static void PrepareToConnect() => EphemeralKeys.PrepareOnOwnThread(first: SocketTransport.StartSocketEngine);

    private static async Task<ClusterClient> ConnectOnceAsync(string host, int port, byte[] cookie, TimeSpan timeout, ClientIo io, CancellationToken ct, ExecAtConnect? exec)
    {
        string endpoint = HostPort.Format(host, port);
        using var deadline = new CallDeadline(io, timeout, ct);
        var self = new LocalIdentity(SecureRandom.NewGuid(), "iridium-client", "", 0);
        var opening = Handshake.Open(self, cookie, wantMembers: false, ConnectionRole.Client);
        SocketTransport transport;
        try
        {
            transport = io == ClientIo.Blocking
                ? SocketTransport.ConnectBlocking(host, port, timeout)
                : await SocketTransport.ConnectAsync(host, port, timeout, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            string why = e switch
            {
                OperationCanceledException or SocketException { SocketErrorCode: SocketError.TimedOut } => "no answer",
                // The system's words alone: a connect to an endpoint adds it to the message, and it is said already.
                SocketException socket => new SocketException((int)socket.SocketErrorCode).Message,
                _ => e.Message,
            };
            throw new ClusterClientException($"cannot connect to {endpoint}: {why}");
        }

        var connection = new ClusterConnection(transport, isOutbound: true, ProtocolLimits.MinFrameBytes * 16);
        try
        {
            IReadOnlyList<string>? execTargets = null;
            Func<string, IReadOnlyList<IClusterMessage>>? behindProof = exec is null ? null : alias =>
            {
                execTargets = [exec.On ?? alias];
                return exec.TravelsWithProof ? ExecStreams.Requests(execTargets, exec.Spec) : [];
            };
            var outcome = await Handshake.DialAsync(connection, self, cookie, wantMembers: false, ConnectionRole.Client, deadline.Token, opening: opening, behindProof: behindProof).ConfigureAwait(false);
            if (!outcome.Success) throw new ClusterClientException($"{endpoint}: {outcome.Message}", outcome.Refusal == RefuseCode.Authentication) { Busy = outcome.Refusal == RefuseCode.Busy };
            connection.MarkAuthenticated();
            return new ClusterClient(transport, connection, endpoint, outcome.Peer!.Alias, timeout, io, exec, execTargets);
        }
        catch (Exception e) when (e is not ClusterClientException)
        {
            connection.Close(CloseReason.HandshakeFailed, "handshake failed");
            if (e is ProtocolException { RefusedFrameHeader: { } header } && PortProbe.IsRemoteReplGreeting(header))
                throw new ClusterClientException($"{endpoint} is a remote REPL port, not a cluster port (try 'iridium remote {endpoint}')");
            throw Failure(e, endpoint, timeout, ct);
        }
        catch
        {
            connection.Close(CloseReason.HandshakeFailed, "handshake failed");
            throw;
        }
    }

    /// <summary>
    /// A client over <paramref name="connection"/>, an in-memory connection to a node of this
    /// process (<see cref="ClusterNode.OpenInProcessClient"/>): nothing to dial, no handshake.
    /// </summary>
    internal static ClusterClient InProcess(ClusterConnection connection, string nodeAlias, TimeSpan timeout)
    {
        connection.MarkAuthenticated();
        return new ClusterClient(null, connection, $"{nodeAlias} (in this process)", nodeAlias, timeout, ClientIo.Async);
    }

    /// <summary>How long a blocking read waits from now on (async reads are bounded by each call's deadline instead).</summary>
    private void BlockingReadsWait(TimeSpan wait)
    {
        if (_io == ClientIo.Blocking && _socket is not null) _socket.ReceiveTimeout = wait;
    }

    /// <summary>The node's view of the cluster: itself, its live peers, and members down within its retention period.</summary>
    public async Task<IReadOnlyList<MemberInfo>> MembersAsync(CancellationToken ct = default)
    {
        using var deadline = new CallDeadline(_io, _timeout, ct);
        var view = await RequestAsync<MembersView>(new MembersQuery(), _ => true, deadline.Token, ct).ConfigureAwait(false);
        if (view.Members is not { Count: <= ProtocolLimits.MaxMembers }) throw new ClusterClientException($"{_endpoint} sent a bad member list");
        // A node of this build follows a view that lists down members with their details.
        DownMembers? details = MemberViewMapping.HasDown(view) ? await ReadAsync<DownMembers>(deadline.Token, ct).ConfigureAwait(false) : null;
        return MemberViewMapping.FromView(view, details);
    }

    /// <summary>
    /// One round trip: a <c>Ping</c> the node answers with a <c>Pong</c>. With
    /// <paramref name="payloadBytes"/> &gt; 0 a <c>Data</c> frame of that size goes first on the
    /// same connection, so the time includes carrying it to the node (which reads and drops it).
    /// </summary>
    public async Task<TimeSpan> PingAsync(long sequence, int payloadBytes, CancellationToken ct = default)
    {
        long start = Stopwatch.GetTimestamp();
        using var deadline = new CallDeadline(_io, _timeout, ct);
        if (payloadBytes > 0) await WriteAsync(new Data { Body = new byte[payloadBytes] }, deadline.Token, ct).ConfigureAwait(false);
        await RequestAsync<Pong>(new Ping { Sequence = sequence, Timestamp = start }, pong => pong.Sequence == sequence, deadline.Token, ct).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start);
    }

    /// <summary>
    /// Runs <paramref name="spec"/> on each of <paramref name="targets"/> (an alias, a node id or
    /// "any"); <paramref name="output"/> gets each target's output (by index, with the alias of
    /// the node running it) as it arrives. Cancelling <paramref name="interrupt"/> stops them all.
    /// Not bounded by the client's timeout: a program runs as long as it runs. One request at a
    /// time per client (this one reads the connection until every target has ended).
    /// </summary>
    public Task<IReadOnlyList<ExecResult>> ExecAsync(IReadOnlyList<string> targets, ExecSpec spec, Action<int, string?, ReadOnlySpan<byte>> output, CancellationToken interrupt)
    {
        // A program runs as long as it runs: no read timeout while it does.
        BlockingReadsWait(Timeout.InfiniteTimeSpan);
        return new ExecStreams(_connection, _endpoint).RunAsync(targets, spec, output, interrupt);
    }

    /// <summary>
    /// <see cref="ExecAsync"/> for the program given to <see cref="ConnectAsync"/>, on
    /// <see cref="ExecTargetsAtConnect"/>: its output and end. Its request went out with the
    /// handshake, or goes now when it was too large for that (<see cref="ExecAtConnect.TravelsWithProof"/>).
    /// </summary>
    public Task<IReadOnlyList<ExecResult>> ExecAtConnectAsync(Action<int, string?, ReadOnlySpan<byte>> output, CancellationToken interrupt)
    {
        if (_execAtConnect is null || ExecTargetsAtConnect is null) throw new InvalidOperationException("no program was given to ConnectAsync");
        BlockingReadsWait(Timeout.InfiniteTimeSpan);
        return new ExecStreams(_connection, _endpoint).RunAsync(ExecTargetsAtConnect, _execAtConnect.Spec, output, interrupt, sent: _execAtConnect.TravelsWithProof);
    }

    /// <summary>Every process on every member that runs programs, sorted by id.</summary>
    public async Task<IReadOnlyList<ProcessInfo>> ProcessesAsync(CancellationToken ct = default)
    {
        using var deadline = new CallDeadline(_io, _timeout, ct);
        var list = await RequestAsync<ProcessList>(new ProcessQuery { RequestId = 1 }, reply => reply.RequestId == 1, deadline.Token, ct).ConfigureAwait(false);
        return (list.Processes ?? []).Where(p => p is not null).Select(p => new ProcessInfo(
            UntrustedText.Escape(p.ProcessId ?? "?"), p.NodeId, UntrustedText.Escape(p.Alias ?? "?"), UntrustedText.Escape(p.Program ?? "?"),
            StateName(p.State), p.Steps, p.HeapBytes, p.AgeMs, UntrustedText.Escape(p.Origin ?? "?"),
            p.MailboxLength, p.Dropped, UntrustedText.Escape(p.Parent ?? ""), UntrustedText.Escape(p.Group is { Length: > 0 } group ? group : p.ProcessId ?? "?"))).ToArray();
    }

    private static string StateName(ProcessState state) => state switch
    {
        ProcessState.Running => "running",
        ProcessState.Runnable => "runnable",
        ProcessState.Waiting => "waiting",
        _ => "queued",
    };

    /// <summary>`kill --group`: stops every process of the group <paramref name="processId"/> belongs to, on every member: whether it was found, and the node's word.</summary>
    public async Task<(bool Found, string Message)> KillGroupAsync(string processId, CancellationToken ct = default)
    {
        using var deadline = new CallDeadline(_io, _timeout, ct);
        var reply = await RequestAsync<GroupKillReply>(new GroupKillRequest { RequestId = 1, ProcessId = processId }, r => r.RequestId == 1, deadline.Token, ct).ConfigureAwait(false);
        return (reply.Found, UntrustedText.Escape(reply.Message ?? ""));
    }

    /// <summary>
    /// `iridium logs`: the output kept of the detached group whose root is <paramref name="rootId"/>,
    /// to <paramref name="output"/>; with <paramref name="follow"/>, then what it prints until it
    /// ends (or <paramref name="ct"/> is cancelled). Only the first answer is bounded by the timeout.
    /// </summary>
    public async Task<LogsResult> LogsAsync(string rootId, bool follow, Action<ReadOnlySpan<byte>> output, CancellationToken ct = default)
    {
        LogsOutput answer;
        using (var deadline = new CallDeadline(_io, _timeout, ct))
        {
            answer = await RequestAsync<LogsOutput>(new LogsRequest { RequestId = 1, ProcessId = rootId, Follow = follow }, r => r.RequestId == 1, deadline.Token, ct).ConfigureAwait(false);
        }
        BlockingReadsWait(Timeout.InfiniteTimeSpan);
        while (true)
        {
            if (answer.Bytes is { Length: > 0 } bytes) output(bytes);
            if (answer.Last || !answer.Found) return new LogsResult(answer.Found, UntrustedText.Escape(answer.Message ?? ""));
            IClusterMessage next;
            do next = await ReadAsync<IClusterMessage>(ct, ct).ConfigureAwait(false);
            while (next is not LogsOutput { RequestId: 1 });
            answer = (LogsOutput)next;
        }
    }

    /// <summary>Stops process <paramref name="processId"/> wherever it runs: whether it was found, and the node's word.</summary>
    public async Task<(bool Found, string Message)> KillAsync(string processId, CancellationToken ct = default)
    {
        using var deadline = new CallDeadline(_io, _timeout, ct);
        var reply = await RequestAsync<KillReply>(new KillRequest { RequestId = 1, ProcessId = processId }, r => r.RequestId == 1, deadline.Token, ct).ConfigureAwait(false);
        return (reply.Found, UntrustedText.Escape(reply.Message ?? ""));
    }

    /// <summary>
    /// `iridium send` (<paramref name="wantReply"/> false) and `call`: one message to
    /// <paramref name="target"/> (ALIAS.N, NAME@ALIAS or NAME), and for a call the answer, waited
    /// for up to <paramref name="replyTimeout"/> on the node (this client waits that long plus its
    /// own timeout).
    /// </summary>
    public async Task<SendResult> SendAsync(string target, byte[] payload, bool wantReply, TimeSpan replyTimeout, CancellationToken ct = default)
    {
        var wait = _timeout + (wantReply ? replyTimeout : TimeSpan.Zero);
        BlockingReadsWait(wait);
        using var deadline = new CallDeadline(_io, wait, ct);
        var request = new SendRequest { RequestId = 1, Target = target, Payload = payload, WantReply = wantReply, TimeoutMs = (int)Math.Min(int.MaxValue, replyTimeout.TotalMilliseconds) };
        var reply = await RequestAsync<SendReply>(request, r => r.RequestId == 1, deadline.Token, ct).ConfigureAwait(false);
        var outcome = reply.Outcome switch
        {
            SendOutcome.Queued => SendEnd.Queued,
            SendOutcome.Answered => SendEnd.Answered,
            SendOutcome.TimedOut => SendEnd.TimedOut,
            _ => SendEnd.Refused,
        };
        return new SendResult(outcome, UntrustedText.Escape(reply.Message ?? ""), reply.Payload ?? []);
    }

    public ValueTask DisposeAsync()
    {
        _connection.Close(CloseReason.Done, "done");
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends <paramref name="request"/> and reads until the answer (<paramref name="deadline"/> bounds it; <paramref name="ct"/> is the caller's).</summary>
    private async Task<TReply> RequestAsync<TReply>(IClusterMessage request, Func<TReply, bool> isAnswer, CancellationToken deadline, CancellationToken ct)
        where TReply : class, IClusterMessage
    {
        await WriteAsync(request, deadline, ct).ConfigureAwait(false);
        while (true)
        {
            // Anything else (a late answer to an earlier request) is not what we wait for.
            if (await ReadAsync<IClusterMessage>(deadline, ct).ConfigureAwait(false) is TReply answer && isAnswer(answer)) return answer;
        }
    }

    /// <summary>The next message, which must be a <typeparamref name="TReply"/>.</summary>
    private async Task<TReply> ReadAsync<TReply>(CancellationToken deadline, CancellationToken ct)
        where TReply : class, IClusterMessage
    {
        IClusterMessage? reply;
        try
        {
            reply = await _connection.ReadAsync(deadline).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ClusterClientException)
        {
            throw Failure(e, _endpoint, _timeout, ct);
        }
        return reply switch
        {
            null => throw new ClusterClientException($"{_endpoint} closed the connection without answering"),
            TReply answer => answer,
            _ => throw new ClusterClientException($"{_endpoint} sent {reply.GetType().Name} where {typeof(TReply).Name} was expected"),
        };
    }

    private async Task WriteAsync(IClusterMessage message, CancellationToken deadline, CancellationToken ct)
    {
        try
        {
            await _connection.WriteAsync(message, deadline).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ClusterClientException)
        {
            throw Failure(e, _endpoint, _timeout, ct);
        }
    }

    private static Exception Failure(Exception e, string endpoint, TimeSpan timeout, CancellationToken ct) => e switch
    {
        // Async calls time out by their deadline token, blocking ones by the socket's timeout.
        _ when e is OperationCanceledException && !ct.IsCancellationRequested || e is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock }
            => new ClusterClientException($"{endpoint} did not answer within {timeout.TotalSeconds:0.#} s"),
        ProtocolException or IOException or SocketException or InvalidOperationException or ObjectDisposedException => new ClusterClientException($"{endpoint}: {e.Message}"),
        _ => e,
    };

    /// <summary>
    /// The token that bounds one call: the caller's, cancelled also after the timeout for async
    /// I/O. Blocking I/O needs no timer: its socket times out by itself.
    /// </summary>
    private readonly struct CallDeadline : IDisposable
    {
        private readonly CancellationTokenSource? _source;

        public CallDeadline(ClientIo io, TimeSpan timeout, CancellationToken ct)
        {
            if (io == ClientIo.Blocking)
            {
                Token = ct;
                return;
            }
            _source = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _source.CancelAfter(timeout);
            Token = _source.Token;
        }

        public CancellationToken Token { get; }

        public void Dispose() => _source?.Dispose();
    }
}
