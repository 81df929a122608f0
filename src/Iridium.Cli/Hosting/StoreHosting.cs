using Iridium.Cli.Configuration;
using Iridium.Cluster;
using Iridium.Store;
using Iridium.Store.Model;
using Iridium.Store.Service;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The node's part in the replicated store, from --store-voters: a voter when the list names this
/// node (its Raft member starts once the node listens), a client of the voters when the list does
/// not (every call is forwarded to a voter over the mesh), and no store without the list (`iridium
/// kv` is told so). With a store, the node's programs reach it through <see cref="ProgramStoreAccess"/>
/// (KGET, KPUT, KDEL, KCAS). Only these files of the CLI's node touch the store: `run` never loads it.
/// </summary>
internal sealed class StoreHosting : IAsyncDisposable
{
    private readonly NodeStore store;
    private readonly ILogger logger;
    private readonly string role;
    private readonly Iridium.Vm.ProcessRuntime programs;
    private readonly string? dataDirectory;

    private StoreHosting(NodeStore store, ILogger logger, string role, Iridium.Vm.ProcessRuntime programs, string? dataDirectory = null)
    {
        this.store = store;
        this.dataDirectory = dataDirectory;
        this.logger = logger;
        this.role = role;
        this.programs = programs;
    }

    /// <summary>The store's entry point on this node (null without a store, or while a voter opens its data).</summary>
    public StoreService? Service => store.Service;

    /// <summary>Called before the node starts, so no store message is missed.</summary>
    public static StoreHosting Prepare(NodeSettings settings, ClusterNode node, string alias, Func<string> dataRoot, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Iridium.Store");
        if (settings.Get(NodeSettingsSchema.StoreVoters) is not { } list) return new StoreHosting(NodeStore.None(node), logger, "", node.Processes);
        var voters = StoreVoterList.Parse(list);
        if (!voters.Contains(alias))
            return new StoreHosting(NodeStore.Client(node, voters, new StoreLimits(), StoreNodeOptions.DefaultTimeout), logger,
                $"store client of the voters {string.Join(",", voters)} (this node's alias {alias} is not among them)", node.Processes);
        var options = new StoreNodeOptions
        {
            Name = alias,
            Voters = voters,
            // The alias keeps apart voters that share a data root (tools/cluster.sh starts them so).
            DataDirectory = settings.Get(NodeSettingsSchema.StoreDir) ?? Path.Combine(dataRoot(), "store", alias),
            SnapshotEvery = settings.Get(NodeSettingsSchema.StoreSnapshotEvery) ?? StoreNodeOptions.DefaultSnapshotEvery,
            Fault = why => logger.LogError("{Why}", why),
        };
        return new StoreHosting(NodeStore.Voter(node, options), logger, $"store voter {alias} of {string.Join(",", voters)}, data in {options.DataDirectory}", node.Processes, options.DataDirectory);
    }

    /// <summary>Opens a voter's data; one it cannot create or open ends the node with exit 73 and the directory named.</summary>
    public async Task StartAsync(CancellationToken token)
    {
        try
        {
            await store.StartAsync(token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandFailure(ExitCodes.CannotCreate, $"store: cannot open the voter's data in {dataDirectory}: {e.Message}");
        }
        // The seam the node's programs use; until now they heard "unavailable".
        if (store.Service is { } service) programs.Store = new ProgramStoreAccess(service);
        if (role.Length > 0) logger.LogInformation("{Role}", role);
    }

    public ValueTask DisposeAsync()
    {
        programs.Store = null;   // what programs ask from now on is "unavailable"; what is under way ends so
        return store.DisposeAsync();
    }
}
