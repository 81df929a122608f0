using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Commands;

/// <summary>`iridium members HOST:PORT [--json]`: a node's view of the cluster, asked as an authenticated client.</summary>
internal sealed class MembersCommand
{
    /// <summary>Print a node's members, one line each: ALIAS NODE-ID HOST:PORT STATUS LAST-SEEN-MS.</summary>
    /// <param name="target">HOST:PORT: the node's cluster address.</param>
    /// <param name="json">Print a JSON array (alias, node_id, host, port, status, last_seen_ms).</param>
    /// <param name="timeoutMs">Give up after this many milliseconds.</param>
    [Command(CommandRouter.Members)]
    public async Task<int> Members(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, bool json = false, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync(CommandRouter.Members, () => ClusterClientSession.RunAsync(context, target, "the node to ask", timeoutMs, async client =>
        {
            var members = await client.MembersAsync().ConfigureAwait(false);
            if (json)
            {
                using var stdout = Console.OpenStandardOutput();
                MembersFormatter.WriteJson(stdout, members);
            }
            else
            {
                MembersFormatter.WriteText(Console.Out, members);
            }
            return ExitCodes.Ok;
        })).ConfigureAwait(false);
}
