using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Iridium.Cluster.Transport;

/// <summary>A connected TCP socket as pipes. Reading and writing go through <see cref="NetworkStream"/>.</summary>
internal sealed class SocketTransport : IConnectionTransport
{
    private readonly Socket _socket;
    private int _disposed;

    public SocketTransport(Socket socket) : this(socket, new NetworkStream(socket, ownsSocket: false))
    {
    }

    private SocketTransport(Socket socket, Stream stream)
    {
        _socket = socket;
        // Small frames (heartbeats, handshakes) must not wait for Nagle; bulk sends are batched by the connection's writer anyway.
        socket.NoDelay = true;
        // Zero-byte reads: an idle connection waits for data without holding a rented 64 KiB
        // buffer, which a full mesh of hundreds of connections per node would hold for nothing.
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true, useZeroByteReads: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        RemoteHost = AddressOf(socket.RemoteEndPoint);
        LocalHost = AddressOf(socket.LocalEndPoint);
    }

    public PipeReader Input { get; }
    public PipeWriter Output { get; }
    public string RemoteHost { get; }
    public string LocalHost { get; }

    /// <summary>How long a blocking read waits for data before it fails with <see cref="SocketError.TimedOut"/>; infinite: no bound.</summary>
    public TimeSpan ReceiveTimeout
    {
        set => _socket.ReceiveTimeout = value == Timeout.InfiniteTimeSpan ? 0 : (int)Math.Clamp(value.TotalMilliseconds, 1, int.MaxValue);
    }

    /// <summary>
    /// Makes a socket and closes it. A process's first socket starts .NET's socket engine (its
    /// epoll and its thread; on Linux every socket's handle asks the engine's settings), and
    /// starting a thread waits, yielding the processor in a loop (Native AOT's Thread.Start), until
    /// the new thread runs: on a loaded machine that wait was about a millisecond of an exec
    /// client's CPU (perf stat, 40 runs: 4.7-7.0 ms task-clock, 2.9-4.0 with the engine started
    /// elsewhere). A command-line client has it done on its key thread, first thing, while its own
    /// thread parses and reads the program, rather than just before it connects.
    /// </summary>
    public static void StartSocketEngine()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    }

    /// <summary>Connects with a deadline; host names are resolved.</summary>
    public static async Task<SocketTransport> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            return new SocketTransport(socket);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new SocketException((int)SocketError.TimedOut);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Connects with a deadline for a client that waits on one conversation: reads and writes
    /// block the calling thread (<see cref="BlockingSocketStream"/>). Host names are resolved.
    /// </summary>
    public static SocketTransport ConnectBlocking(string host, int port, TimeSpan timeout)
    {
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                ConnectWithin(socket, new IPEndPoint(address, port), timeout);
                return new SocketTransport(socket, new BlockingSocketStream(socket)) { ReceiveTimeout = timeout };
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw last!;
    }

    /// <summary>
    /// A blocking connect bounded by the send timeout, which Linux applies to connect. (Not a
    /// non-blocking connect and a poll: .NET never makes a socket blocking again once it was not,
    /// and runs the blocking calls on such a socket through its socket engine's thread.)
    /// </summary>
    private static void ConnectWithin(Socket socket, EndPoint endPoint, TimeSpan timeout)
    {
        socket.SendTimeout = (int)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue);
        try
        {
            socket.Connect(endPoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            throw new SocketException((int)SocketError.TimedOut);
        }
    }

    /// <summary>The socket itself (tests check its options).</summary>
    internal Socket Socket => _socket;

    /// <summary>
    /// Keepalive probes from a third of <paramref name="within"/> on, one a third apart, two
    /// unanswered ones ending the connection (whole seconds, at least one: what the options take);
    /// and on Linux TCP_USER_TIMEOUT, which ends it when sent data goes unacknowledged that long
    /// (keepalive does not probe while data is outstanding). A reader that is alive but slow still
    /// acknowledges, so only a vanished host is cut off.
    /// </summary>
    public void KeepAlive(TimeSpan within)
    {
        int step = Math.Max(1, (int)(within.TotalSeconds / 3));
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            _socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, step);
            _socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, step);
            _socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 2);
            if (OperatingSystem.IsLinux())
            {
                Span<byte> ms = stackalloc byte[sizeof(uint)];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(ms, (uint)Math.Clamp(within.TotalMilliseconds, 1, uint.MaxValue));
                _socket.SetRawSocketOption(TcpLevel, TcpUserTimeout, ms);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            // Closed already, or a platform without these options: the connection carries on as before.
        }
    }

    private const int TcpLevel = 6;
    private const int TcpUserTimeout = 18;

    public void ShutdownOutput()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone: nothing left to signal.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // The socket goes first so that nothing below can block on the network. Completing the
        // output pipe then tries to flush whatever a writer left unflushed into the closed
        // socket, which throws: that data is lost with the connection anyway, and closing must
        // never fail (it runs from Leave, error paths and disposal).
        _socket.Dispose();
        Input.Complete();
        try
        {
            Output.Complete();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            // See above: unsent bytes of a closed connection.
        }
    }

    private static string AddressOf(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => ip.Address.MapToIPv4().ToString(),
        IPEndPoint ip => ip.Address.ToString(),
        _ => "?",
    };
}
