using Iridium.Cli.Configuration;
using Iridium.Cluster;
using Iridium.Store;
using Iridium.Store.Mesh;
using Iridium.Store.Raft;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Hosting;

/// <summary>
/// Makes a node a voter of the replicated store when --store-voters names it: the store's messages
/// are routed to it over the node's mesh, and its Raft member starts once the node listens. Only
/// this file of the CLI touches the store, and only for such a node: `run` and every other command
/// never load it.
/// </summary>
internal sealed class StoreHosting : IAsyncDisposable
{
    private readonly IStoreTransport transport;
    private readonly StoreNodeOptions options;
    private readonly ILogger logger;
    private StoreNode? store;

    private StoreHosting(IStoreTransport transport, StoreNodeOptions options, ILogger logger)
    {
        this.transport = transport;
        this.options = options;
        this.logger = logger;
    }

    /// <summary>Null unless this node is one of the voters; called before the node starts, so no store message is missed.</summary>
    public static StoreHosting? Prepare(NodeSettings settings, ClusterNode node, string alias, Func<string> dataRoot, ILoggerFactory loggers)
    {
        if (settings.Get(NodeSettingsSchema.StoreVoters) is not { } list) return null;
        var voters = StoreVoterList.Parse(list);
        if (!voters.Contains(alias))
            throw CommandFailure.Usage($"--store-voters ({list}) does not name this node ({alias}); a node that is not a voter needs no --store-voters");
        var options = new StoreNodeOptions
        {
            Name = alias,
            Voters = voters,
            DataDirectory = settings.Get(NodeSettingsSchema.StoreDir) ?? Path.Combine(dataRoot(), "store"),
        };
        return new StoreHosting(StoreMesh.Attach(node), options, loggers.CreateLogger("Iridium.Store"));
    }

    public async Task StartAsync(CancellationToken token)
    {
        store = await StoreNode.StartAsync(options, transport, token).ConfigureAwait(false);
        logger.LogInformation("store voter {Name} of {Voters}, data in {Directory}", options.Name, string.Join(",", options.Voters), options.DataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        if (store is not null) await store.DisposeAsync().ConfigureAwait(false);
    }
}
