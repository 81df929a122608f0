using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Repl.Remote;

namespace Iridium.Cli.Commands;

/// <summary>`iridium remote HOST:PORT [-c LINE]...`: the remote REPL client (<see cref="RemoteReplClient"/>).</summary>
internal sealed class RemoteCommand
{
    /// <summary>Connect to a remote REPL (iridium -r): run the lines given with -c and print their output, or open an interactive session.</summary>
    /// <param name="target">HOST:PORT: the remote REPL (default port 2244).</param>
    /// <param name="command">-c, A line to run; repeat for more. Without -c the session is interactive.</param>
    [Command(CommandRouter.Remote)]
    public async Task<int> Remote(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [HideDefaultValue] string? command = null)
        => await CommandBody.RunAsync(CommandRouter.Remote, async () =>
        {
            var (host, port) = FlagRules.Address(target, "the remote REPL");
            var lines = RepeatedOption.Values(context.CommandArguments, "-c", "--command");
            var process = new ProcessContext(((GlobalOptions)context.GlobalOptions!).Process());
            // Interactive on a terminal: the console's line editor, with this server's own history.
            using var console = lines.Count == 0 ? RemoteConsole.ForTerminal(HistoryPath(process, host, port)) : null;
            var status = await RemoteReplClient.RunAsync(host, port, () => process.Cookie, lines, Console.In, Console.Out, Console.Error,
                console: console).ConfigureAwait(false);
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
