using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Iridium.Net;

namespace Iridium.Repl.Remote;

/// <summary>
/// The multi-user remote REPL (docs/reference/runtime.md): a TCP listener whose every connection is an
/// independent, authenticated REPL session (<see cref="RemoteSession"/>). Hosted by the
/// interactive <c>iridium -r</c> next to the local console, and by the headless <c>iridium node</c>.
/// A connection that has not logged in yet holds a login slot (<see cref="PreAuthBudget"/>: its
/// own budget, a per-address cap, oldest pushed out first), never a session slot: only a client
/// that proved it knows the cookie takes one of the <see cref="RemoteServerOptions.MaxSessions"/>.
/// </summary>
public sealed class RemoteReplServer : IAsyncDisposable
{
    private readonly RemoteServerOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<TcpClient, Task> _connections = new();
    private readonly PreAuthBudget _logins;
    private int _sessions;
    private TcpListener? _listener;
    private Task? _acceptLoop;

    public RemoteReplServer(RemoteServerOptions options)
    {
        _options = options;
        _logins = new PreAuthBudget(options.MaxPendingLogins, options.MaxPendingLoginsPerAddress);
    }

    /// <summary>The address and port actually bound (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndpoint as IPEndPoint;

    public int Port => LocalEndPoint?.Port ?? 0;

    /// <summary>Logged-in sessions now.</summary>
    public int ActiveSessions => Volatile.Read(ref _sessions);

    /// <summary>Connections that have not logged in yet.</summary>
    public int PendingLogins => _logins.Count;

    /// <summary>
    /// Binds and starts accepting. Throws <see cref="InvalidOperationException"/> when asked to listen
    /// on a non-loopback address without a cookie, and <see cref="SocketException"/> when the bind fails.
    /// </summary>
    public void Start()
    {
        if (_listener is not null) throw new InvalidOperationException("the remote REPL server is already started");
        var address = ResolveBindAddress(_options.BindHost);
        if (_options.Cookie is null && !IPAddress.IsLoopback(address))
            throw new InvalidOperationException($"refusing to serve the remote REPL on {address}, a non-loopback address, without a cookie");
        Directory.CreateDirectory(_options.ProgramDirectory);

        var listener = new TcpListener(address, _options.BindPort);
        listener.Start();
        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
        _options.Log?.WriteLine($"remote REPL listening on {LocalEndPoint}" +
                                (_options.Cookie is null ? " (no authentication: loopback only)" : " (cookie authentication)"));
    }

    /// <summary>Stops accepting, closes every session and waits (briefly) for them to end.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        _listener?.Stop();
        foreach (var client in _connections.Keys) client.Dispose();
        var all = _connections.Values.ToList();
        if (_acceptLoop is not null) all.Add(_acceptLoop);
        await Task.WhenAny(Task.WhenAll(all), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    public void Stop() => StopAsync().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private static IPAddress ResolveBindAddress(string host)
    {
        if (IPAddress.TryParse(host, out var address)) return address;
        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
               ?? addresses.FirstOrDefault()
               ?? throw new InvalidOperationException($"cannot resolve bind host {host}");
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested) return;
                continue;   // a connection that failed while being accepted
            }
            var login = _logins.Admit(AddressOf(client), client.Dispose);
            // Registered before it starts, so a session that ends at once is still removed.
            _connections[client] = Task.CompletedTask;
            _connections.TryUpdate(client, ServeAsync(client, login), Task.CompletedTask);
        }
    }

    private static string AddressOf(TcpClient client) => client.Client.RemoteEndPoint is IPEndPoint ip ? ip.Address.ToString() : "?";

    private async Task ServeAsync(TcpClient client, PreAuthBudget.Ticket login)
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
            await new RemoteSession(client, _options, Admit, _stopping.Token).RunAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer went away or the server is stopping: the session just ends.
        }
        catch (Exception e)
        {
            // A bug in one session must not take down the server or the other sessions.
            _options.Log?.WriteLine($"remote session failed: {e}");
        }
        finally
        {
            login.Dispose();
            if (holdsSession) Interlocked.Decrement(ref _sessions);
            _connections.TryRemove(client, out _);
            client.Dispose();
        }
    }
}
