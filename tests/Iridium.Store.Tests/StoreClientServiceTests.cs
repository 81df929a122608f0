using System.Text;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;
using Iridium.Store.Model;
using Iridium.Store.Service;

namespace Iridium.Store.Tests;

/// <summary>The store's client calls on a node's client connection: bounded per connection, abandoned with the client, nothing else accepted.</summary>
public sealed class StoreClientServiceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>A store whose calls all wait for <see cref="Release"/>, then succeed; records what the callers' tokens did.</summary>
    private sealed class GatedStore : StoreService
    {
        private readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Cancelled;

        public void Release() => gate.TrySetResult();

        public override StoreLimits Limits { get; } = new();

        internal override async Task<KvReply> AnswerAsync(KvRequest request, CancellationToken token)
        {
            try
            {
                await gate.Task.WaitAsync(token);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref Cancelled);
                throw;
            }
            return new KvReply { Status = KvStatus.Done, Value = request.Key };
        }

        public override Task<StoredValue?> GetAsync(byte[] key, bool stale = false, CancellationToken token = default) => throw new NotSupportedException();
        public override Task<StoreResult> WriteAsync(StoreCommand command, CancellationToken token = default) => throw new NotSupportedException();
        public override Task<IReadOnlyList<KeyValuePair<byte[], StoredValue>>> ListAsync(byte[] prefix, int limit, CancellationToken token = default) => throw new NotSupportedException();
        public override Task<StoreStatus> StatusAsync(CancellationToken token = default) => throw new NotSupportedException();
    }

    private sealed class Ignore : IConnectionHandler
    {
        public void OnMessage(ClusterConnection connection, IClusterMessage message)
        {
        }

        public void OnClosed(ClusterConnection connection, ConnectionClose close)
        {
        }
    }

    /// <summary>The node's end of a client connection (started, so replies are written) and the client's end to read them.</summary>
    private static (ClusterConnection Node, ClusterConnection Client) Connection()
    {
        var (near, far) = PipeTransport.CreatePair();
        var node = new ClusterConnection(near, false, 1 << 20);
        node.Start(new Ignore(), queueBytes: 16 << 20);
        return (node, new ClusterConnection(far, true, 1 << 20));
    }

    private static async Task<KvReply> NextReplyAsync(ClusterConnection client)
    {
        using var deadline = new CancellationTokenSource(Wait);
        return Assert.IsType<KvReply>(await client.ReadAsync(deadline.Token));
    }

    private static KvRequest Get(long callId) => new() { CallId = callId, Operation = KvOperation.Get, Key = Encoding.UTF8.GetBytes($"k{callId}") };

    [Fact]
    public async Task A_call_over_the_connections_bound_is_answered_busy_at_once_and_the_open_ones_complete()
    {
        var store = new GatedStore();
        var service = new StoreClientService(hasStore: true) { Service = store };
        var (node, client) = Connection();
        for (long id = 1; id <= StoreClientService.MaxCallsPerClient; id++) service.OnClientMessage(node, Get(id));
        Assert.True(service.Serves(node));

        service.OnClientMessage(node, Get(9999));
        var busy = await NextReplyAsync(client);
        Assert.Equal(9999, busy.CallId);
        Assert.Equal(KvStatus.Busy, busy.Status);
        Assert.Contains($"{StoreClientService.MaxCallsPerClient} calls open", busy.Message);

        store.Release();
        var answered = new HashSet<long>();
        for (int i = 0; i < StoreClientService.MaxCallsPerClient; i++)
        {
            var reply = await NextReplyAsync(client);
            Assert.Equal(KvStatus.Done, reply.Status);
            Assert.Equal($"k{reply.CallId}", Encoding.UTF8.GetString(reply.Value!));
            answered.Add(reply.CallId);
        }
        Assert.Equal(StoreClientService.MaxCallsPerClient, answered.Count);
        Assert.False(service.Serves(node));
    }

    [Fact]
    public async Task A_client_that_goes_away_abandons_its_calls()
    {
        var store = new GatedStore();
        var service = new StoreClientService(hasStore: true) { Service = store };
        var (node, _) = Connection();
        service.OnClientMessage(node, Get(1));
        service.OnClientMessage(node, Get(2));
        service.OnClientClosed(node);
        var deadline = DateTime.UtcNow + Wait;
        while (Volatile.Read(ref store.Cancelled) < 2 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(2, store.Cancelled);
    }

    [Fact]
    public async Task A_node_without_a_store_says_so_and_a_voter_still_opening_is_unavailable()
    {
        var (node, client) = Connection();
        new StoreClientService(hasStore: false).OnClientMessage(node, Get(1));
        var none = await NextReplyAsync(client);
        Assert.Equal(KvStatus.NoStore, none.Status);
        Assert.Contains("--store-voters", none.Message);
        new StoreClientService(hasStore: true).OnClientMessage(node, Get(2));
        Assert.Equal(KvStatus.Unavailable, (await NextReplyAsync(client)).Status);
    }

    [Fact]
    public void A_client_that_sends_a_reply_is_a_protocol_error()
    {
        var (node, _) = Connection();
        new StoreClientService(hasStore: true).OnClientMessage(node, new KvReply { CallId = 1 });
        Assert.Equal(CloseReason.ProtocolError, node.Closing?.Reason);
    }
}
