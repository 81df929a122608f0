using System.Net;
using System.Net.Sockets;
using Iridium.Cluster.Logging;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Transport;

/// <summary>
/// The node's listening socket: binds with port search (the port it got is the one to advertise)
/// and hands each accepted socket to a callback that runs the handshake.
/// </summary>
internal sealed class ClusterListener : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task _acceptLoop = Task.CompletedTask;

    private ClusterListener(Socket socket)
    {
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public int Port => LocalEndPoint.Port;

    /// <summary>
    /// Binds <paramref name="host"/> (IP literal or name) on <paramref name="port"/>, or on one of
    /// the next <paramref name="portSearch"/> ports when it is taken. Throws <see cref="SocketException"/> when none is free.
    /// </summary>
    public static async Task<ClusterListener> BindAsync(string host, int port, int portSearch, ILogger logger, CancellationToken ct)
    {
        IPAddress address = await ResolveAsync(host, ct).ConfigureAwait(false);
        int last = port == 0 ? 0 : Math.Min(65535, port + portSearch);
        for (int candidate = port; ; candidate++)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(address, candidate));
                socket.Listen(512);
                return new ClusterListener(socket);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse && candidate < last)
            {
                socket.Dispose();
                ClusterLog.PortTaken(logger, candidate);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private static async Task<IPAddress> ResolveAsync(string host, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var literal)) return literal;
        var addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Starts accepting; <paramref name="onAccepted"/> owns each socket it is given and must not throw.</summary>
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
                    // A connection reset before we took it (or a transient resource error): keep listening.
                    await Task.Delay(1).ConfigureAwait(false);
                    continue;
                }
                onAccepted(accepted);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
