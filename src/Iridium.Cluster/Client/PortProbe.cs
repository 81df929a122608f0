using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;
using Iridium.Crypto;

namespace Iridium.Cluster.Client;

/// <summary>
/// Tells a cluster port from a remote REPL port, so a client pointed at the wrong one says so
/// instead of failing on the other protocol's bytes. The remote REPL speaks first, with a text
/// line before its encrypted handshake ("iridium-remote v2 ...", and a build of protocol 1
/// "iridium-auth v1 NONCE"); a cluster node speaks only when spoken to, and answers an
/// introduction with a Challenge (or a Refuse) before it knows who is calling.
/// </summary>
public static class PortProbe
{
    /// <summary>Whether <paramref name="firstBytes"/>, read where a cluster frame's length was expected, are the remote REPL's greeting ("irid", of either protocol).</summary>
    public static bool IsRemoteReplGreeting(ReadOnlySpan<byte> firstBytes) => firstBytes.StartsWith("irid"u8);

    /// <summary>
    /// Whether a cluster node listens at <paramref name="host"/>:<paramref name="port"/>: it
    /// introduces itself as a client and waits (at most <paramref name="timeout"/>) for the node's
    /// first handshake message. No cookie is needed or sent; the connection is closed after it.
    /// </summary>
    public static async Task<bool> IsClusterPortAsync(string host, int port, TimeSpan timeout, CancellationToken ct = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        SocketTransport transport;
        try
        {
            transport = await SocketTransport.ConnectAsync(host, port, timeout, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
        var connection = new ClusterConnection(transport, isOutbound: true, ProtocolLimits.MinFrameBytes * 16);
        try
        {
            await connection.WriteAsync(new Join
            {
                ProtocolVersion = ProtocolLimits.Version,
                NodeId = SecureRandom.NewGuid(),
                Alias = "iridium-probe",
                AdvertisedHost = "",
                AdvertisedPort = 0,
                Nonce = Security.HandshakeAuth.NewNonce(),
                Role = ConnectionRole.Client,
            }, deadline.Token).ConfigureAwait(false);
            return await connection.ReadAsync(deadline.Token).ConfigureAwait(false) is Challenge or Refuse;
        }
        catch (Exception e) when (e is ProtocolException or IOException or SocketException or OperationCanceledException
                                       or InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            connection.Close(CloseReason.Done, "probe done");
        }
    }
}
