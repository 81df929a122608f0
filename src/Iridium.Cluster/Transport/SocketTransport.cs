using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Iridium.Cluster.Transport;

/// <summary>A connected TCP socket as pipes. Reading and writing go through <see cref="NetworkStream"/>.</summary>
internal sealed class SocketTransport : IConnectionTransport
{
    private readonly Socket _socket;
    private int _disposed;

    public SocketTransport(Socket socket)
    {
        _socket = socket;
        // Small frames (heartbeats, handshakes) must not wait for Nagle; bulk sends are batched by the send loop anyway.
        socket.NoDelay = true;
        var stream = new NetworkStream(socket, ownsSocket: false);
        Input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        Output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        RemoteHost = AddressOf(socket.RemoteEndPoint);
        LocalHost = AddressOf(socket.LocalEndPoint);
    }

    public PipeReader Input { get; }
    public PipeWriter Output { get; }
    public string RemoteHost { get; }
    public string LocalHost { get; }

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
        // output pipe then tries to flush whatever a send loop left unflushed into the closed
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
