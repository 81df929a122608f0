using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;

namespace Iridium.Cli.Commands;

/// <summary>`iridium kill HOST:PORT ID [--group]`: stop a process, or its whole group, anywhere in the cluster; its `exec` client exits 143.</summary>
internal sealed class KillCommand
{
    /// <summary>Stop a process (ALIAS.N, as 'iridium ps' lists it) on whichever member runs it, or with --group every process of its group on every member; exit 1 when there is no such process.</summary>
    /// <param name="target">HOST:PORT: the node to ask.</param>
    /// <param name="id">ID: the process, ALIAS.N.</param>
    /// <param name="group">Stop the whole group the process belongs to (the GROUP column of 'iridium ps'), wherever its processes run.</param>
    /// <param name="timeoutMs">Give up after this many milliseconds.</param>
    [Command(CommandRouter.Kill)]
    public async Task<int> Kill(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? id = null, bool group = false, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync(CommandRouter.Kill, () =>
        {
            if (target is not null && string.IsNullOrWhiteSpace(id)) throw CommandFailure.Usage("kill: missing ID (a process id as 'iridium ps' lists it)");
            return ClusterClientSession.RunAsync(context, target, "the node to ask", timeoutMs, async client =>
            {
                var (found, message) = group ? await client.KillGroupAsync(id!.Trim()).ConfigureAwait(false) : await client.KillAsync(id!.Trim()).ConfigureAwait(false);
                if (!found)
                {
                    Console.Error.WriteLine($"iridium: {message}");
                    return ExitCodes.IllegalStop;
                }
                Console.Out.WriteLine(message);
                return ExitCodes.Ok;
            });
        }).ConfigureAwait(false);
}
