using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Commands;

/// <summary>`iridium ps HOST:PORT [--json]`: every process on every up member.</summary>
internal sealed class PsCommand
{
    /// <summary>List the programs every up member runs or queues, one row each: ID NODE PROGRAM STATE STEPS HEAP AGE ORIGIN.</summary>
    /// <param name="target">HOST:PORT: the node to ask.</param>
    /// <param name="json">Print a JSON array (id, node_id, node, program, state, steps, heap_bytes, age_ms, origin).</param>
    /// <param name="timeoutMs">Give up after this many milliseconds.</param>
    [Command(CommandRouter.Ps)]
    public async Task<int> Ps(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, bool json = false, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync(CommandRouter.Ps, () => ClusterClientSession.RunAsync(context, target, "the node to ask", timeoutMs, async client =>
        {
            var processes = await client.ProcessesAsync().ConfigureAwait(false);
            if (json)
            {
                using var stdout = Console.OpenStandardOutput();
                Iridium.Cluster.Client.ProcessesFormatter.WriteJson(stdout, processes);
            }
            else
            {
                Iridium.Cluster.Client.ProcessesFormatter.WriteText(Console.Out, processes);
            }
            return ExitCodes.Ok;
        })).ConfigureAwait(false);
}
