using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Iridium.Repl.Remote;

/// <summary>
/// The multi-user remote REPL (runtime.md §4.2): a TCP listener whose every connection is an
/// independent, authenticated REPL session (<see cref="RemoteSession"/>). Hosted by the
/// interactive <c>iridium -r</c> next to the local console, and by the headless <c>iridium node</c>.
/// </summary>
public sealed class RemoteReplServer : IAsyncDisposable
{
    private readonly RemoteServerOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<TcpClient, Task> _sessions = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;

    public RemoteReplServer(RemoteServerOptions options)
    {
        _options = options;
    }

    /// <summary>The address and port actually bound (the port is the real one when 0 was asked for).</summary>
    public IPEndPoint? LocalEndPoint => _listener?.LocalEndpoint as IPEndPoint;

    public int Port => LocalEndPoint?.Port ?? 0;

    /// <summary>Sessions connected now (authenticating ones included).</summary>
    public int ActiveSessions => _sessions.Count;

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
        foreach (var client in _sessions.Keys) client.Dispose();
        var all = _sessions.Values.ToList();
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
            if (_sessions.Count >= _options.MaxSessions)
            {
                _ = RefuseAsync(client, $"too many sessions (the limit is {_options.MaxSessions}); try again later");
                continue;
            }
            // Registered before it starts, so a session that ends at once is still removed.
            _sessions[client] = Task.CompletedTask;
            _sessions.TryUpdate(client, ServeAsync(client), Task.CompletedTask);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        await Task.Yield();   // never run a session on the accept loop
        try
        {
            await new RemoteSession(client, _options, _stopping.Token).RunAsync().ConfigureAwait(false);
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
            _sessions.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private async Task RefuseAsync(TcpClient client, string message)
    {
        using (client)
        {
            try
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(message + "\n");
                await client.GetStream().WriteAsync(bytes, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        _options.Log?.WriteLine($"remote connection refused: {message}");
    }
}
