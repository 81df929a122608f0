using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cluster.Client;
using Iridium.Repl.Remote;

namespace Iridium.Cli.Commands;

/// <summary>`iridium remote HOST:PORT [-c LINE]...`: the remote REPL client (<see cref="RemoteReplClient"/>).</summary>
internal sealed class RemoteCommand
{
    /// <summary>Connect to a remote REPL (iridium -r): run the lines given with -c and print their output, or open an interactive session.</summary>
    /// <param name="target">HOST:PORT: the remote REPL (default port 2244).</param>
    /// <param name="command">-c, A line to run; repeat for more. Without -c the session is interactive.</param>
    /// <param name="timeoutMs">Give up connecting and logging in after this many milliseconds.</param>
    [Command(CommandRouter.Remote)]
    public async Task<int> Remote(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [HideDefaultValue] string? command = null,
        int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync(CommandRouter.Remote, async () =>
        {
            var (host, port) = FlagRules.Address(target, "the remote REPL");
            if (timeoutMs < 1) throw CommandFailure.Usage($"--timeout-ms must be at least 1, not {timeoutMs}");
            var timeout = TimeSpan.FromMilliseconds(timeoutMs);
            var lines = RepeatedOption.Values(context.CommandArguments, "-c", "--command");
            var process = new ProcessContext(((GlobalOptions)context.GlobalOptions!).Process());
            // Interactive on a terminal: the console's line editor, with this server's own history.
            using var console = lines.Count == 0 ? RemoteConsole.ForTerminal(HistoryPath(process, host, port)) : null;
            var status = await RemoteReplClient.RunAsync(host, port, () => process.Cookie, lines, Console.In, Console.Out, Console.Error,
                console: console, loginTimeout: timeout,
                // A port that stays silent may be a node's: say so rather than only "closed".
                isClusterPort: ct => PortProbe.IsClusterPortAsync(host, port, timeout, ct)).ConfigureAwait(false);
            return status switch
            {
                RemoteClientStatus.Ok => ExitCodes.Ok,
                RemoteClientStatus.AuthenticationFailed => ExitCodes.NoPermission,
                _ => ExitCodes.Unavailable,
            };
        }).ConfigureAwait(false);

    /// <summary>The history of sessions with this server, or null (no history) when there is no usable data root.</summary>
    private static string? HistoryPath(ProcessContext process, string host, int port)
        => process.TryGetDataRoot(out _) is { } dataRoot ? ProcessContext.RemoteHistoryPath(dataRoot, host, port) : null;
}
