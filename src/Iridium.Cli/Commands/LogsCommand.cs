using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;

namespace Iridium.Cli.Commands;

/// <summary>`iridium logs HOST:PORT ID [--follow]`: the output of a group started with `exec --detach`.</summary>
internal sealed class LogsCommand
{
    /// <summary>Show the output a detached group (exec --detach) printed: the last 64 KiB its node kept, and with --follow what it prints until it ends (how it ended goes to stderr). ID is its root's id as exec --detach printed it. Exit 0; 1 when the node keeps no such group.</summary>
    /// <param name="target">HOST:PORT: the node to ask.</param>
    /// <param name="id">ID: the group's root, ALIAS.N.</param>
    /// <param name="follow">Keep printing what the group prints until it has ended (Ctrl-C stops following, not the group).</param>
    /// <param name="timeoutMs">Give up when the node has not answered within this many milliseconds.</param>
    [Command(CommandRouter.Logs)]
    public async Task<int> Logs(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? id = null, bool follow = false,
        int timeoutMs = Defaults.ClientTimeoutMs, CancellationToken cancellationToken = default)
        => await CommandBody.RunAsync(CommandRouter.Logs, () =>
        {
            if (target is not null && string.IsNullOrWhiteSpace(id)) throw CommandFailure.Usage("logs: missing ID (the id 'iridium exec --detach' printed)");
            return ClusterClientSession.RunAsync(context, target, "the node to ask", timeoutMs, async client =>
            {
                using var stdout = Console.OpenStandardOutput();
                Iridium.Cluster.Client.LogsResult result;
                try
                {
                    result = await client.LogsAsync(id!.Trim(), follow, bytes =>
                    {
                        stdout.Write(bytes);
                        stdout.Flush();
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl-C while following: the group runs on.
                    return ExitCodes.Interrupted;
                }
                if (!result.Found)
                {
                    Console.Error.WriteLine($"iridium: {result.Message}");
                    return ExitCodes.IllegalStop;
                }
                if (result.Message.Length > 0) Console.Error.WriteLine($"iridium: {result.Message}");
                return ExitCodes.Ok;
            });
        }).ConfigureAwait(false);
}
