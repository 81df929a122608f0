using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Commands;

/// <summary>`iridium store status|add|remove`: the replicated store's voters.</summary>
internal sealed class StoreCommands
{
    /// <summary>
    /// Why the voters cannot change while the store runs: DotNext can add or remove one voter at a
    /// time, but our voters are named by alias from the one --store-voters list every node is given
    /// and its transport knows no others, so a change would need that list kept in the log.
    /// </summary>
    private const string FixedVoters = "the voters are fixed by --store-voters in this version: a running store cannot add or remove one";

    /// <summary>Show the store as a voter sees it (the contacted node, or the voter it asks): leader, term, commit index, keys, log and snapshot sizes, and each voter's state.</summary>
    /// <param name="target">HOST:PORT: any node started with --store-voters.</param>
    /// <param name="json">Print a JSON object (voter, leader, term, commit_index, last_log_index, applied_index, keys, data_bytes, log_bytes, snapshot_bytes, voters).</param>
    /// <param name="timeoutMs">Give up connecting after this many milliseconds.</param>
    [Command("store status")]
    public async Task<int> Status(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, bool json = false, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync("store status", () => ClusterClientSession.RunAsync(context, target, "a node of the store", timeoutMs, async client =>
        {
            StoreView view;
            try
            {
                view = await client.StoreStatusAsync().ConfigureAwait(false);
            }
            catch (StoreStatusException e)
            {
                throw new CommandFailure(ExitCodes.Unavailable, e.Message);
            }
            if (json)
            {
                using var stdout = Console.OpenStandardOutput();
                StoreFormatter.WriteStatusJson(stdout, view);
            }
            else
            {
                StoreFormatter.WriteStatusText(Console.Out, view);
            }
            return ExitCodes.Ok;
        })).ConfigureAwait(false);

    /// <summary>Not in this version: the voters are fixed by --store-voters (exit 2).</summary>
    /// <param name="target">HOST:PORT.</param>
    /// <param name="alias">ALIAS: the node to add.</param>
    [Command("store add")]
    public int Add([Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? alias = null)
        => CommandBody.Run("store add", () => throw CommandFailure.Usage($"store add: {FixedVoters}"));

    /// <summary>Not in this version: the voters are fixed by --store-voters (exit 2).</summary>
    /// <param name="target">HOST:PORT.</param>
    /// <param name="alias">ALIAS: the voter to remove.</param>
    [Command("store remove")]
    public int Remove([Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? alias = null)
        => CommandBody.Run("store remove", () => throw CommandFailure.Usage($"store remove: {FixedVoters}"));
}
