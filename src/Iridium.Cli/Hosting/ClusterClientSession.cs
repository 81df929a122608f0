using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The client commands' common start and end (`exec`, `ps`, `kill`, `members`, `ping`): check HOST:PORT and the
/// timeout, load the cookie, connect as an authenticated client, run the body, and turn a client
/// failure into its exit status (77 for a refused cookie, 69 otherwise). The client blocks on its
/// socket (<see cref="ClientIo.Blocking"/>): a command has one conversation, and not starting the
/// thread pool and timers is most of what makes `exec` of a short program cheap.
/// <c>exec</c> may give its program to the connection (<see cref="ExecAtConnect"/>): its request
/// then travels with the handshake's last message, a round trip sooner.
/// </summary>
internal static class ClusterClientSession
{
    public static async Task<int> RunAsync(ConsoleAppContext context, string? target, string what, int timeoutMs, Func<ClusterClient, Task<int>> body, ExecAtConnect? exec = null)
    {
        var (host, port) = FlagRules.Address(target, what);
        if (timeoutMs < 1) throw CommandFailure.Usage($"--timeout-ms must be at least 1, not {timeoutMs}");
        var process = new ProcessContext(((GlobalOptions)context.GlobalOptions!).Process());
        try
        {
            await using var client = await ClusterClient.ConnectAsync(host, port, process.Cookie, TimeSpan.FromMilliseconds(timeoutMs), ClientIo.Blocking, exec: exec).ConfigureAwait(false);
            return await body(client).ConfigureAwait(false);
        }
        catch (ClusterClientException e)
        {
            throw ClientFailure.From(e);
        }
    }
}
