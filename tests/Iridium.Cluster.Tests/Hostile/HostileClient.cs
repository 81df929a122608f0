using System.Net;
using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Hostile;

/// <summary>
/// A client of our own protocol that does what a hostile or broken one would: it passes the
/// cookie handshake like `iridium exec`, then sends whatever frames the test says (duplicates,
/// floods, credit it never uses), reads only when told to, or stalls. Optionally from another
/// loopback address (all of 127.0.0.0/8 is local) and with a tiny receive buffer, so that not
/// reading shows up on the node at once. Every socket is closed by <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class HostileClient : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly Socket _socket;
    private readonly ClusterConnection _connection;

    private HostileClient(Socket socket, ClusterConnection connection)
    {
        _socket = socket;
        _connection = connection;
    }

    /// <summary>
    /// Connects to <paramref name="port"/> and authenticates as a client. With
    /// <paramref name="receiveBufferBytes"/> the socket holds little of what it does not read.
    /// Throws when the node refuses; <see cref="TryConnectAsync"/> returns its reason instead.
    /// </summary>
    public static async Task<HostileClient> ConnectAsync(int port, IPAddress? from = null, int receiveBufferBytes = 0)
    {
        var (client, refusal) = await TryConnectAsync(port, from, receiveBufferBytes);
        return client ?? throw new InvalidOperationException("the node refused the hostile client: " + refusal);
    }

    public static async Task<(HostileClient? Client, string? Refusal)> TryConnectAsync(int port, IPAddress? from = null, int receiveBufferBytes = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBufferBytes > 0) socket.ReceiveBufferSize = receiveBufferBytes;
        if (from is not null) socket.Bind(new IPEndPoint(from, 0));
        using var deadline = new CancellationTokenSource(Deadline);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token);
        var connection = new ClusterConnection(new SocketTransport(socket), isOutbound: true, 1 << 20);
        var self = new LocalIdentity(Guid.NewGuid(), "hostile", "", 0);
        var outcome = await Handshake.DialAsync(connection, self, TestCluster.Cookie, wantMembers: false, ConnectionRole.Client, deadline.Token);
        if (!outcome.Success)
        {
            connection.Close(CloseReason.Done, "refused");
            return (null, outcome.Message);
        }
        connection.MarkAuthenticated();
        return (new HostileClient(socket, connection), null);
    }

    /// <summary>Writes one frame and flushes it.</summary>
    public async Task SendAsync(IClusterMessage message)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        await _connection.WriteAsync(message, deadline.Token);
    }

    /// <summary>Writes <paramref name="count"/> frames made by <paramref name="make"/>, in batches, without reading anything.</summary>
    public async Task FloodAsync(int count, Func<int, IClusterMessage> make)
    {
        const int Batch = 1000;
        for (int start = 0; start < count; start += Batch)
        {
            var bytes = new System.Buffers.ArrayBufferWriter<byte>();
            for (int i = start; i < Math.Min(count, start + Batch); i++) _connection.WriteFrame(make(i), bytes);
            if (!await TrySendRawAsync(bytes.WrittenSpan.ToArray())) return;
        }
    }

    /// <summary>One frame as the connection would send it (sealed), for <see cref="TrySendRawAsync"/>.</summary>
    public byte[] Frame(IClusterMessage message)
    {
        var bytes = new System.Buffers.ArrayBufferWriter<byte>();
        _connection.WriteFrame(message, bytes);
        return bytes.WrittenSpan.ToArray();
    }

    /// <summary>Raw bytes; false once the node has closed the connection.</summary>
    public async Task<bool> TrySendRawAsync(byte[] bytes)
    {
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            await _socket.SendAsync(bytes, SocketFlags.None, deadline.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The next message, or null when the node closed the connection (or nothing came within the deadline).</summary>
    public async Task<IClusterMessage?> ReadAsync(TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? Deadline);
        try
        {
            return await _connection.ReadAsync(deadline.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ProtocolException or ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Reads until a <typeparamref name="T"/> that matches arrives; null when the connection ends first.</summary>
    public async Task<T?> ReadUntilAsync<T>(Func<T, bool>? match = null) where T : class, IClusterMessage
    {
        while (await ReadAsync() is { } message)
        {
            if (message is T wanted && (match?.Invoke(wanted) ?? true)) return wanted;
        }
        return null;
    }

    /// <summary>True when the node has closed the connection: what is left to read ends (drains up to the deadline).</summary>
    public async Task<bool> ClosedByNodeAsync()
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < deadline)
        {
            if (await ReadAsync(deadline - DateTime.UtcNow) is null) return DateTime.UtcNow < deadline;
        }
        return false;
    }

    /// <summary>An exec request as `iridium exec` sends it, with the id, window and target the test chooses.</summary>
    public static ExecRequest Exec(long requestId, byte[] image, string target, int window = 1 << 20) => new()
    {
        RequestId = requestId,
        Target = target,
        Program = "hostile.iasm",
        Image = image,
        MaxSteps = -1,
        Window = window,
    };

    public static byte[] Assemble(string source)
    {
        var result = Iridium.Assembler.Assembler.Assemble(source, "hostile.iasm");
        Assert.True(result.Success, result.RenderErrors());
        return result.Image!;
    }

    public ValueTask DisposeAsync()
    {
        _connection.Close(CloseReason.Done, "test over");
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
