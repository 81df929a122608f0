using System.Net;
using System.Net.Sockets;

namespace Iridium.Cluster.Tests.Support;

/// <summary>
/// A flood of stalled connections, for tests: from one source address (127.0.0.2 by default: all of
/// 127.0.0.0/8 is local), keep <c>concurrent</c> connections open that each send one byte and then
/// stall; as soon as the server drops one, open another. Runs until stopped; every socket it opens
/// is closed by the time <see cref="RunAsync"/> returns.
/// </summary>
public static class StallFlood
{
    public static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");

    /// <returns>How many connections were opened in all.</returns>
    public static async Task<long> RunAsync(int port, int concurrent, CancellationToken stop, IPAddress? source = null, byte[]? firstBytes = null)
    {
        long opened = 0;
        var workers = Enumerable.Range(0, concurrent).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source ?? Attacker, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), stop);
                    Interlocked.Increment(ref opened);
                    await socket.SendAsync(firstBytes ?? [1], SocketFlags.None, stop);
                    // Stall: read nothing of our own accord, just notice when the server hangs up.
                    var buffer = new byte[256];
                    while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop) > 0)
                    {
                    }
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // Dropped, refused or stopped: reconnect (or end).
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        return Interlocked.Read(ref opened);
    }
}
