using System.CommandLine;
using Iridium.Cluster;
using Iridium.Cluster.Configuration;
using Iridium.Cluster.Security;
using Iridium.Repl.Remote;

namespace Iridium.Cli.Commands;

/// <summary>
/// <c>iridium remote HOST:PORT [-c COMMAND]...</c>: the remote REPL client (<see cref="RemoteReplClient"/>).
/// Exit status 0 when the session ran, 69 when the server cannot be reached, 77 when it refused the cookie.
/// </summary>
internal static class RemoteCommand
{
    private const int Unavailable = 69;     // EX_UNAVAILABLE
    private const int NoPermission = 77;    // EX_NOPERM

    public static Command Create()
    {
        var address = new Argument<string>("HOST:PORT") { Description = "The remote REPL to connect to (iridium -r, default port 2244)." };
        var commands = new Option<string[]>("--command", "-c")
        {
            Description = "A line to run; repeat for more. Prints their output and exits. Without -c the session is interactive.",
            HelpName = "LINE",
            AllowMultipleArgumentsPerToken = false,
        };
        var cookieFile = new Option<string?>("--cookie-file") { Description = "Cookie file. Default: $IRIDIUM_COOKIE, else <data-root>/cookie.", HelpName = "PATH" };
        var dataRoot = new Option<string?>("--data-root-dir") { Description = "Data root holding the default cookie.", HelpName = "DIR" };

        var command = new Command("remote", "Connect to a remote REPL: run lines given with -c, or an interactive session.")
        {
            address, commands, cookieFile, dataRoot,
        };
        command.SetAction(parse =>
        {
            if (!HostPort.TryParse(parse.GetValue(address), out string host, out int port))
            {
                Console.Error.WriteLine($"iridium: '{parse.GetValue(address)}' is not HOST:PORT");
                return ExitCodes.Usage;
            }
            byte[] LoadCookie() => ClusterCookie.Load(parse.GetValue(cookieFile), DataRoot.Resolve(parse.GetValue(dataRoot))).Secret;
            var status = RemoteReplClient.RunAsync(host, port, LoadCookie, parse.GetValue(commands) ?? [], Console.In, Console.Out, Console.Error)
                .GetAwaiter().GetResult();
            return status switch
            {
                RemoteClientStatus.Ok => ExitCodes.Ok,
                RemoteClientStatus.AuthenticationFailed => NoPermission,
                _ => Unavailable,
            };
        });
        return command;
    }
}
