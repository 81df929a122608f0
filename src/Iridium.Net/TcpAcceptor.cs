using System.Net;
using System.Net.Sockets;

namespace Iridium.Net;

/// <summary>
/// A listening socket and its accept loop, for every port a node serves (the cluster port and the
/// remote REPL's): the bind address resolved one way, the same backlog, the same handling of a
/// connection that fails while it is being accepted. What follows the accept (the pre-authentication
/// budget, the handshake) belongs to the server that is handed each socket.
/// </summary>
public sealed class TcpAcceptor : IAsyncDisposable
{
    /// <summary>
    /// Connections the kernel completes and holds for us while the loop is busy. Beyond it new
    /// ones wait in SYN retries, so a connect flood costs the kernel, not us.
    /// </summary>
    private const int Backlog = 512;

    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task _acceptLoop = Task.CompletedTask;

    private TcpAcceptor(Socket socket)
    {
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The address and port actually bound (the real port when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    public int Port => LocalEndPoint.Port;

    /// <summary>
    /// Binds <paramref name="host"/> (an IP literal, or a name: its first IPv4 address, else its
    /// first) on <paramref name="port"/>, or on one of the next <paramref name="portSearch"/> ports
    /// when it is taken, calling <paramref name="portTaken"/> for each taken one. Throws
    /// <see cref="SocketException"/> when the name does not resolve or no port is free (the
    /// error code says which, for the caller's message).
    /// </summary>
    public static TcpAcceptor Bind(string host, int port, int portSearch = 0, Action<int>? portTaken = null)
    {
        IPAddress address = Resolve(host);
        int last = port == 0 ? 0 : Math.Min(65535, port + portSearch);
        for (int candidate = port; ; candidate++)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(address, candidate));
                socket.Listen(Backlog);
                return new TcpAcceptor(socket);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && candidate < last)
            {
                socket.Dispose();
                portTaken?.Invoke(candidate);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// A bind host is resolved once, at start, before anything is served, so a blocking lookup
    /// costs nothing anyone waits for (and it is an IP literal in nearly every configuration).
    /// </summary>
    private static IPAddress Resolve(string host)
    {
        if (IPAddress.TryParse(host, out var literal)) return literal;
        var addresses = Dns.GetHostAddresses(host);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// Starts accepting on the thread pool; <paramref name="onAccepted"/> owns each socket it is
    /// given, runs on the accept loop (so it must be quick and hand the connection off), and must
    /// not throw.
    /// </summary>
    public void Start(Action<Socket> onAccepted)
    {
        _acceptLoop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    accepted = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    // A connection reset before we took it, or a transient shortage (no file
                    // descriptors left): keep listening, without spinning on the shortage.
                    await Task.Delay(1).ConfigureAwait(false);
                    continue;
                }
                onAccepted(accepted);
            }
        });
    }

    /// <summary>Stops accepting and closes the listening socket; connections already handed off are the server's.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
