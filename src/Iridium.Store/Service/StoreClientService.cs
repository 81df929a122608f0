using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;

namespace Iridium.Store.Service;

/// <summary>
/// The store's client calls (tags 76-79: `iridium kv`, `iridium store status`) on a node, from the
/// authenticated client connections the node admits. Each call runs against the node's
/// <see cref="Service"/>; a node without a store says so, a voter still opening its data says it is
/// unavailable. Bounded:
/// at most <see cref="MaxCallsPerClient"/> open calls per connection and <see cref="MaxOpenCalls"/> on
/// the node; a call over either is answered "busy" at once. A client that goes away abandons its calls.
/// </summary>
internal sealed class StoreClientService(bool hasStore) : IClientService
{
    public const int MaxCallsPerClient = 256;
    public const int MaxOpenCalls = 4096;

    private readonly Lock gate = new();
    private readonly Dictionary<ClusterConnection, ClientCalls> clients = [];
    private int open;

    /// <summary>Where calls go; set once the node's store is ready.</summary>
    public StoreService? Service { get; set; }

    public bool Serves(ClusterConnection client)
    {
        lock (gate) return clients.TryGetValue(client, out var calls) && calls.Open > 0;
    }

    public void OnClientMessage(ClusterConnection client, IClusterMessage message)
    {
        if (message is not (KvRequest or StoreStatusQuery))
        {
            client.Close(CloseReason.ProtocolError, $"protocol error: a client sent {message.GetType().Name}");
            return;
        }
        var callId = ((IStoreMessage)message).CallId;
        CancellationToken abandoned;
        lock (gate)
        {
            if (client.Closing is not null) return;
            if (!clients.TryGetValue(client, out var calls)) clients[client] = calls = new ClientCalls();
            string? busy = calls.Open >= MaxCallsPerClient ? $"store: this connection has {MaxCallsPerClient} calls open; wait for their answers"
                : open >= MaxOpenCalls ? $"store: this node has {MaxOpenCalls} calls open; try again later"
                : null;
            if (busy is not null)
            {
                client.TrySend(message is KvRequest
                    ? new KvReply { CallId = callId, Status = KvStatus.Busy, Message = busy }
                    : new StoreStatusReply { CallId = callId, Status = KvStatus.Busy, Message = busy });
                return;
            }
            calls.Open++;
            open++;
            abandoned = calls.Gone.Token;
        }
        _ = AnswerAsync(client, message, callId, abandoned);
    }

    public void OnClientClosed(ClusterConnection client)
    {
        ClientCalls? calls;
        lock (gate)
        {
            if (!clients.Remove(client, out calls)) return;
        }
        calls.Gone.Cancel();
    }

    private async Task AnswerAsync(ClusterConnection client, IClusterMessage message, long callId, CancellationToken abandoned)
    {
        IStoreMessage? reply;
        try
        {
            var store = Service;
            var (status, why) = hasStore ? (KvStatus.Unavailable, "store unavailable: this voter is still opening its data") : (KvStatus.NoStore, StoreCalls.NoStoreMessage);
            reply = message is KvRequest request
                ? store is null ? new KvReply { Status = status, Message = why } : await store.AnswerAsync(request, abandoned).ConfigureAwait(false)
                : store is null ? new StoreStatusReply { Status = status, Message = why } : await store.AnswerStatusAsync(abandoned).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abandoned.IsCancellationRequested)
        {
            reply = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug must answer this call with a message, never take the node down.
            string why = $"store: internal error: {e.GetType().Name}: {e.Message}";
            reply = message is KvRequest ? new KvReply { Status = KvStatus.Unavailable, Message = why } : new StoreStatusReply { Status = KvStatus.Unavailable, Message = why };
        }
        lock (gate)
        {
            open--;
            if (clients.TryGetValue(client, out var calls)) calls.Open--;
        }
        if (reply is null) return;
        reply.CallId = callId;
        client.TrySend(reply);
    }

    private sealed class ClientCalls
    {
        public int Open;
        public readonly CancellationTokenSource Gone = new();
    }
}
