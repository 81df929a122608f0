using Iridium.Cli.Configuration;
using Iridium.Cluster;
using Iridium.Store;
using Iridium.Store.Mesh;
using Iridium.Store.Raft;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Hosting;

/// <summary>
/// Makes a node a voter of the replicated store when --store-voters names it: the store's messages
/// are routed to it over the node's mesh, and its Raft member starts once the node listens; then
/// the node's programs reach it through <see cref="ProgramStoreAccess"/>. Only these two files of
/// the CLI touch the store, and only for such a node: `run` and every other command never load it.
/// </summary>
internal sealed class StoreHosting : IAsyncDisposable
{
    private readonly IStoreTransport transport;
    private readonly StoreNodeOptions options;
    private readonly ILogger logger;
    private readonly Iridium.Vm.ProcessRuntime programs;
    private StoreNode? store;

    private StoreHosting(IStoreTransport transport, StoreNodeOptions options, ILogger logger, Iridium.Vm.ProcessRuntime programs)
    {
        this.transport = transport;
        this.options = options;
        this.logger = logger;
        this.programs = programs;
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
        return new StoreHosting(StoreMesh.Attach(node), options, loggers.CreateLogger("Iridium.Store"), node.Processes);
    }

    public async Task StartAsync(CancellationToken token)
    {
        store = await StoreNode.StartAsync(options, transport, token).ConfigureAwait(false);
        // The seam the node's programs use (KGET, KPUT, KDEL, KCAS); until now they heard "unavailable".
        programs.Store = new ProgramStoreAccess(store);
        logger.LogInformation("store voter {Name} of {Voters}, data in {Directory}", options.Name, string.Join(",", options.Voters), options.DataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        programs.Store = null;   // what programs ask from now on is "unavailable"; what is under way ends so
        if (store is not null) await store.DisposeAsync().ConfigureAwait(false);
    }
}
