using Iridium.Cluster;
using Iridium.Cluster.Routing;
using Iridium.Store.Mesh;
using Iridium.Store.Model;

namespace Iridium.Store.Service;

/// <summary>
/// The store's side of one cluster node, wired before the node starts so that no message is
/// missed. Every node gets one, for one of three roles: a voter (its alias is in --store-voters:
/// a Raft member, answering from its own copy), a client of the store (--store-voters given but
/// its alias not in it: it forwards each call to a voter over the mesh), or no store at all (no
/// --store-voters: `iridium kv` is told so). <see cref="Service"/> is the entry point the rest of
/// the node uses (the kv client calls, the VM's store instructions).
/// </summary>
public sealed class NodeStore : IAsyncDisposable
{
    private readonly StoreClientService clients;
    private readonly ForwardedCallsTransport? voterTransport;
    private readonly StoreNodeOptions? voterOptions;
    private StoreNode? voter;

    private NodeStore(StoreClientService clients, ForwardedCallsTransport? voterTransport, StoreNodeOptions? voterOptions)
    {
        this.clients = clients;
        this.voterTransport = voterTransport;
        this.voterOptions = voterOptions;
    }

    /// <summary>The node answers store clients that it has no store.</summary>
    public static NodeStore None(ClusterNode node) => Wire(node, new NodeStore(new StoreClientService(hasStore: false), null, null));

    /// <summary>The node reaches the store through <paramref name="voters"/> (none of them itself).</summary>
    public static NodeStore Client(ClusterNode node, IReadOnlyList<string> voters, StoreLimits limits, TimeSpan timeout)
    {
        var store = new NodeStore(new StoreClientService(hasStore: true), null, null);
        store.clients.Service = new ForwardingStoreService(new MeshStoreTransport(node), voters, limits, timeout);
        return Wire(node, store);
    }

    /// <summary>The node is one of the voters; its Raft member starts with <see cref="StartAsync"/>, once the node listens.</summary>
    public static NodeStore Voter(ClusterNode node, StoreNodeOptions options)
    {
        if (options.Problem() is { } problem) throw new ArgumentException(problem);
        return Wire(node, new NodeStore(new StoreClientService(hasStore: true), new ForwardedCallsTransport(new MeshStoreTransport(node)), options));
    }

    /// <summary>Null on a node without a store, and on a voter until <see cref="StartAsync"/> has opened its data.</summary>
    public StoreService? Service => clients.Service;

    public bool IsVoter => voterOptions is not null;

    /// <summary>A voter opens its log and snapshots and joins the Raft group; nothing for other roles.</summary>
    public async Task StartAsync(CancellationToken token)
    {
        if (voterOptions is null || voterTransport is null) return;
        voter = await StoreNode.StartAsync(voterOptions, voterTransport, token).ConfigureAwait(false);
        var service = new VoterStoreService(voter);
        voterTransport.Service = service;
        clients.Service = service;
    }

    private static NodeStore Wire(ClusterNode node, NodeStore store)
    {
        node.AddClientService(TagRange.StoreClient, store.clients);
        return store;
    }

    public async ValueTask DisposeAsync()
    {
        if (voter is not null) await voter.DisposeAsync().ConfigureAwait(false);
    }
}
