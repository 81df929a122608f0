using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Iridium.Crypto;
using Iridium.Net;

namespace Iridium.Repl.Remote;

/// <summary>
/// The multi-user remote REPL (docs/reference/runtime.md): a TCP listener whose every connection is an
/// independent, encrypted and authenticated REPL session (<see cref="RemoteSession"/>: the
/// login is a Noise handshake keyed by the cookie, <see cref="RemoteHandshake"/>). Hosted by the
/// interactive <c>iridium -r</c> next to the local console, and by the headless <c>iridium node</c>.
/// A connection that has not logged in yet holds a login slot (<see cref="PreAuthBudget"/>: its
/// own budget, a per-address cap, oldest pushed out first), never a session slot: only a client
/// that proved it knows the cookie takes one of the <see cref="RemoteServerOptions.MaxSessions"/>.
/// What connections do is logged through a <see cref="SourceLogThrottle"/>: a few lines per address
/// per period and a summary of the rest, so a flood cannot flood the log.
/// </summary>
public sealed class RemoteReplServer : IAsyncDisposable
{
    private readonly RemoteServerOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, Task> _connections = new();
    private readonly PreAuthBudget _logins;
    private readonly SourceLogThrottle _log;
    private readonly byte[] _psk;
    private ITimer? _summaries;
    private int _sessions;
    private TcpAcceptor? _listener;

    public RemoteReplServer(RemoteServerOptions options)
    {
        _options = options;
        _psk = CookieKey.PreSharedKey(options.Cookie);
        _logins = new PreAuthBudget(options.MaxPendingLogins, options.MaxPendingLoginsPerAddress);
        _log = new SourceLogThrottle("remote REPL", options.LogLinesPerAddress, options.LogPeriod, options.Time, line => options.Log?.WriteLine(line));
    }

    /// <summary>The address and port actually bound (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndPoint;

    public int Port => LocalEndPoint?.Port ?? 0;

    /// <summary>Logged-in sessions now.</summary>
    public int ActiveSessions => Volatile.Read(ref _sessions);

    /// <summary>Connections that have not logged in yet.</summary>
    public int PendingLogins => _logins.Count;

    /// <summary>
    /// Binds and starts accepting. Throws <see cref="SocketException"/> when the bind fails.
    /// </summary>
    public void Start()
    {
        if (_listener is not null) throw new InvalidOperationException("the remote REPL server is already started");
        Directory.CreateDirectory(_options.ProgramDirectory);
        var listener = TcpAcceptor.Bind(_options.BindHost, _options.BindPort);
        _listener = listener;
        listener.Start(OnAccepted);
        _summaries = _options.Time.CreateTimer(_ => Summarize(), null, _options.LogPeriod, _options.LogPeriod);
        _options.Log?.WriteLine($"remote REPL listening on {LocalEndPoint} (encrypted, keyed by the cookie)");
    }

    /// <summary>Stops accepting, closes every session and waits (briefly) for them to end.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _summaries?.Dispose();
        if (_listener is not null) await _listener.DisposeAsync().ConfigureAwait(false);
        foreach (var socket in _connections.Keys) socket.Dispose();
        await Task.WhenAny(Task.WhenAll(_connections.Values), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    public void Stop() => StopAsync().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Takes in an accepted connection: a login slot, the greeting, then its session on the thread pool.</summary>
    private void OnAccepted(Socket socket)
    {
        // Read once, now: a connection pushed out is closed under the session's feet, and
        // then its socket no longer says where it came from.
        var remote = socket.RemoteEndPoint as IPEndPoint;
        string address = remote?.Address.ToString() ?? "?";
        var progress = new LoginProgress(socket, _options.Time);
        var login = _logins.Admit(address, () => SayBusyAndClose(socket, progress.Phase), progress.Activity);
        bool greeted = Greet(socket, login);
        if (greeted) progress.Greeted(RemoteWire.FirstFrameBytes);
        // Registered before it starts, so a session that ends at once is still removed.
        _connections[socket] = Task.CompletedTask;
        _connections.TryUpdate(socket, ServeAsync(socket, new RemotePeer(address, remote?.ToString() ?? "?"), login, greeted, progress), Task.CompletedTask);
    }

    private static readonly byte[] GreetingBytes = System.Text.Encoding.ASCII.GetBytes(RemoteWire.Greeting + "\n");

    /// <summary>
    /// Sends the greeting at once, from the accept loop; false when the connection is gone (or was
    /// turned away). At once, because until its first frame has arrived a connection can be
    /// pushed out by newer ones from its address: a correct client's handshake then follows its
    /// connect by one round trip, however far behind a flood has put the sessions. A fresh
    /// socket's send buffer is empty, so the send does not block.
    /// </summary>
    private static bool Greet(Socket socket, PreAuthBudget.Ticket login)
    {
        if (login.WasDropped) return false;
        try
        {
            socket.Send(GreetingBytes);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static readonly byte[] BusyLineBytes = System.Text.Encoding.ASCII.GetBytes(RemoteWire.BusyLine + "\n");
    private static readonly byte[] BusyReplyBytes = RemoteWire.Refusal(HandshakeReply.Busy, "dropped to make room for newer connections; try again");

    /// <summary>
    /// Closes a connection pushed out of (or refused by) the login budget, telling it so first
    /// where it still can: the busy line instead of the greeting, or a busy reply instead of
    /// message 2. Once the channel is encrypted this loop cannot seal (the session owns the
    /// keys), so it just closes, and the client tries again all the same. A connection that has
    /// not logged in has been sent a few dozen bytes at most, so its send buffer has room and
    /// the send does not block the accept loop.
    /// </summary>
    private static void SayBusyAndClose(Socket socket, LoginPhase phase)
    {
        try
        {
            if (phase != LoginPhase.Keyed) socket.Send(phase == LoginPhase.Accepted ? BusyLineBytes : BusyReplyBytes);
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Gone already.
        }
        socket.Dispose();
    }

    /// <summary>Once a period: what was not logged line by line, and how many logins were pushed out.</summary>
    private void Summarize()
    {
        _log.Flush();
        long dropped = _logins.TakeDropped();
        if (dropped > 0)
            _options.Log?.WriteLine($"remote REPL: {dropped} connections that had not logged in were dropped in the last {_options.LogPeriod.TotalSeconds:0} s to make room (at most {_logins.Capacity} at once, {_logins.PerSourceCap} per address)");
    }

    private async Task ServeAsync(Socket socket, RemotePeer peer, PreAuthBudget.Ticket login, bool greeted, LoginProgress progress)
    {
        await Task.Yield();   // never run a session on the accept loop
        bool holdsSession = false;
        string? Admit()
        {
            // Logged in: out of the strangers' budget (unless pushed out a moment ago: closed then).
            if (!login.Complete()) return "dropped to make room for newer connections";
            if (Interlocked.Increment(ref _sessions) > _options.MaxSessions)
            {
                Interlocked.Decrement(ref _sessions);
                return $"too many sessions (the limit is {_options.MaxSessions}); try again later";
            }
            holdsSession = true;
            return null;
        }
        try
        {
            if (!greeted) return;   // turned away, or gone already
            var session = new RemoteSession(socket, peer, _options, _psk, progress, Admit, line => _log.Line(peer.Address, line), _stopping.Token);
            await session.RunAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException || login.WasDropped)
        {
            // The peer went away, was pushed out by a newer connection, or the server is
            // stopping: the session just ends.
        }
        catch (Exception e)
        {
            // A bug in one session must not take down the server or the other sessions. The type
            // only: exception text and stack traces are for a debugger, not for the log.
            _log.Line(peer.Address, $"remote session {peer.EndPoint} ended by an internal error ({e.GetType().Name})");
        }
        finally
        {
            login.Dispose();
            if (holdsSession) Interlocked.Decrement(ref _sessions);
            _connections.TryRemove(socket, out _);
            Close(socket);
        }
    }

    /// <summary>
    /// Shuts the connection down before closing it: what the session wrote (a refusal, the last
    /// lines) goes out followed by the end of the stream. A socket closed with bytes of the
    /// client's still unread (a refused handshake is not read further) would otherwise be reset,
    /// and the reset can discard those last bytes on their way.
    /// </summary>
    private static void Close(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Gone already.
        }
        socket.Dispose();
    }
}
