using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Iridium.Cluster.Tests.Support;

/// <summary>Which way a frame goes through the <see cref="TamperingProxy"/>.</summary>
internal enum ProxyDirection
{
    /// <summary>From whoever connected to the proxy, to the node behind it.</summary>
    ToNode,
    FromNode,
}

/// <summary>What the man in the middle does to one frame.</summary>
public enum Tampering
{
    FlipBit,
    Drop,
    Replay,
    Inject,
}

/// <summary>
/// A man in the middle of our own: a TCP proxy on a free loopback port in front of a node. It
/// forwards whole frames (the length prefix is visible on the wire), records every byte it
/// carries both ways, and can do one thing to one frame of its first connection: flip a bit,
/// drop it, send it twice, or inject a frame of its own before it. In front of a remote REPL
/// (<c>greetingLine</c>), the node's first line of text, its greeting, is carried before the
/// frames. Disposing closes everything.
/// </summary>
internal sealed class TamperingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Socket> _sockets = [];
    private readonly MemoryStream _seen = new();
    private readonly Task _accepting;
    private readonly bool _greetingLine;
    private int _connections;

    public TamperingProxy(int targetPort, ProxyDirection direction = ProxyDirection.ToNode, int frame = -1, Tampering tampering = Tampering.FlipBit, byte[]? injected = null,
        bool greetingLine = false, int atLeastBytes = 0)
    {
        AtLeastBytes = atLeastBytes;
        _target = targetPort;
        _greetingLine = greetingLine;
        Direction = direction;
        Frame = frame;
        What = tampering;
        Injected = injected;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ProxyDirection Direction { get; }

    /// <summary>The index of the frame to tamper with (0 is the first frame that way), on the first connection that gets that far; -1: none.</summary>
    public int Frame { get; }

    public Tampering What { get; }

    /// <summary>Only a frame at least this long (length prefix included) is tampered with: the first from <see cref="Frame"/> on that is.</summary>
    public int AtLeastBytes { get; }

    /// <summary>The length of the frame tampered with (0 before).</summary>
    public int TamperedBytes => Volatile.Read(ref _tamperedBytes);

    private int _tamperedBytes;

    public byte[]? Injected { get; }

    /// <summary>Connections the proxy has carried.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Whether the tampering has been done.</summary>
    public bool Tampered => Volatile.Read(ref _tampered) != 0;

    private int _tampered;

    /// <summary>Every byte of the first connection sent to the node, in order (to replay the session).</summary>
    public byte[] FirstSessionToNode
    {
        get
        {
            lock (_firstToNode) return _firstToNode.ToArray();
        }
    }

    private readonly MemoryStream _firstToNode = new();

    /// <summary>Frames seen per connection and direction: [connection][direction] count.</summary>
    public int FramesSeen(int connection, ProxyDirection direction) => _counts.TryGetValue((connection, direction), out int n) ? n : 0;

    private readonly ConcurrentDictionary<(int, ProxyDirection), int> _counts = new();

    /// <summary>Whether <paramref name="marker"/> appears anywhere in what the proxy carried.</summary>
    public bool Saw(byte[] marker)
    {
        lock (_seen) return _seen.GetBuffer().AsSpan(0, (int)_seen.Length).IndexOf(marker) >= 0;
    }

    public long BytesSeen
    {
        get
        {
            lock (_seen) return _seen.Length;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            int index = Interlocked.Increment(ref _connections) - 1;
            var node = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _sockets.Add(client);
            _sockets.Add(node);
            try
            {
                await node.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                client.Dispose();
                continue;
            }
            _ = Task.Run(() => PumpAsync(index, ProxyDirection.ToNode, client, node));
            _ = Task.Run(() => PumpAsync(index, ProxyDirection.FromNode, node, client));
        }
    }

    private async Task PumpAsync(int connection, ProxyDirection direction, Socket from, Socket to)
    {
        try
        {
            if (_greetingLine && direction == ProxyDirection.FromNode && await ReadLineAsync(from) is { } greeting)
            {
                lock (_seen) _seen.Write(greeting);
                await to.SendAsync(greeting, SocketFlags.None, _stop.Token);
            }
            for (int frame = 0; ; frame++)
            {
                var bytes = await ReadFrameAsync(from);
                if (bytes is null) break;
                _counts.AddOrUpdate((connection, direction), 1, (_, n) => n + 1);
                lock (_seen) _seen.Write(bytes);
                if (connection == 0 && direction == ProxyDirection.ToNode)
                {
                    lock (_firstToNode) _firstToNode.Write(bytes);
                }
                if (direction == Direction && Frame >= 0 && frame >= Frame && bytes.Length >= AtLeastBytes && Interlocked.Exchange(ref _tampered, 1) == 0)
                {
                    Volatile.Write(ref _tamperedBytes, bytes.Length);
                    switch (What)
                    {
                        case Tampering.FlipBit:
                            bytes[^3] ^= 0x04;
                            break;
                        case Tampering.Drop:
                            continue;
                        case Tampering.Replay:
                            await to.SendAsync(bytes, SocketFlags.None, _stop.Token);
                            break;
                        case Tampering.Inject:
                            await to.SendAsync(Injected!, SocketFlags.None, _stop.Token);
                            break;
                    }
                }
                await to.SendAsync(bytes, SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One side went away: the other is closed below.
        }
        CloseQuietly(from);
        CloseQuietly(to);
    }

    /// <summary>One line of text, its newline included (at most 4096 bytes), or null at the end of the stream.</summary>
    private async Task<byte[]?> ReadLineAsync(Socket from)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (line.Count < 4096)
        {
            if (!await ReadExactlyAsync(from, one)) return null;
            line.Add(one[0]);
            if (one[0] == '\n') break;
        }
        return [.. line];
    }

    /// <summary>One whole frame (length prefix included), or null at the end of the stream.</summary>
    private async Task<byte[]?> ReadFrameAsync(Socket from)
    {
        var header = new byte[4];
        if (!await ReadExactlyAsync(from, header)) return null;
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length > 64 << 20) return null;
        var frame = new byte[4 + length];
        header.CopyTo(frame, 0);
        return await ReadExactlyAsync(from, frame.AsMemory(4)) ? frame : null;
    }

    private async Task<bool> ReadExactlyAsync(Socket from, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0) return false;
            buffer = buffer[read..];
        }
        return true;
    }

    private static void CloseQuietly(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Closed already.
        }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _sockets) socket.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
