using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Client;

/// <summary>Why a client could not get an answer (unreachable, refused, wrong cookie, bad reply).</summary>
public sealed class ClusterClientException(string message) : Exception(message);

/// <summary>
/// Asks a node for its view of the cluster, as `iridium members` does: an authenticated
/// connection marked as a client in the handshake, so the node answers but never records it.
/// </summary>
public static class MembersClient
{
    public static async Task<IReadOnlyList<MemberInfo>> QueryAsync(string host, int port, byte[] cookie, TimeSpan timeout, CancellationToken ct = default)
    {
        string endpoint = HostPort.Format(host, port);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        SocketTransport transport;
        try
        {
            transport = await SocketTransport.ConnectAsync(host, port, timeout, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            throw new ClusterClientException($"cannot connect to {endpoint}: {e.Message}");
        }

        var connection = new ClusterConnection(transport, isOutbound: true, ProtocolLimits.MinFrameBytes * 16);
        try
        {
            var self = new LocalIdentity(Guid.NewGuid(), "iridium-members-client", "", 0);
            var outcome = await Handshake.DialAsync(connection, self, cookie, wantMembers: false, ConnectionRole.Client, deadline.Token).ConfigureAwait(false);
            if (!outcome.Success) throw new ClusterClientException($"{endpoint}: {outcome.Message}");
            connection.MarkAuthenticated();
            await connection.WriteAsync(new MembersQuery(), deadline.Token).ConfigureAwait(false);
            while (true)
            {
                var reply = await connection.ReadAsync(deadline.Token).ConfigureAwait(false);
                if (reply is null) throw new ClusterClientException($"{endpoint} closed the connection without answering");
                if (reply is not MembersView view) continue; // a heartbeat or similar: not for us
                if (view.Members is not { Count: <= ProtocolLimits.MaxMembers } members) throw new ClusterClientException($"{endpoint} sent a bad member list");
                return members.ConvertAll(m => new MemberInfo(m.Alias ?? "", m.NodeId, m.Host ?? "", m.Port, m.Status, m.LastSeenMs));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ClusterClientException($"{endpoint} did not answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is ProtocolException or IOException or SocketException or InvalidOperationException)
        {
            throw new ClusterClientException($"{endpoint}: {e.Message}");
        }
        finally
        {
            connection.Close("done");
        }
    }
}
