using System.CommandLine;
using Iridium.Cluster;
using Iridium.Cluster.Client;
using Iridium.Cluster.Configuration;
using Iridium.Cluster.Security;

namespace Iridium.Cli.Commands;

/// <summary>`iridium members HOST:PORT [--json]`: a node's view of the cluster, asked as an authenticated client.</summary>
internal static class MembersCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("HOST:PORT") { Description = "The node's cluster address." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array (alias, node_id, host, port, status, last_seen_ms)." };
        var cookieFile = new Option<string?>("--cookie-file") { Description = "File holding the cluster cookie (else $IRIDIUM_COOKIE, else <data-root>/cookie).", HelpName = "PATH" };
        var dataRoot = new Option<string?>("--data-root-dir") { Description = "Data directory holding the cookie.", HelpName = "DIR" };
        var timeout = new Option<int?>("--timeout-ms") { Description = "Give up after this many milliseconds (default 5000).", HelpName = "MS" };

        var command = new Command("members", "Print a node's members, one line each: ALIAS NODE-ID HOST:PORT STATUS LAST-SEEN-MS. Exit 69 when the node cannot be reached or refuses.")
        {
            target, json, cookieFile, dataRoot, timeout,
        };
        command.SetAction(parse => Execute(parse.GetValue(target)!, parse.GetValue(json), parse.GetValue(cookieFile), parse.GetValue(dataRoot), parse.GetValue(timeout) ?? 5000));
        return command;
    }

    private static int Execute(string target, bool json, string? cookieFile, string? dataRoot, int timeoutMs)
    {
        if (!HostPort.TryParse(target, out string host, out int port))
        {
            Console.Error.WriteLine($"iridium: '{target}' is not HOST:PORT");
            return ExitCodes.Usage;
        }
        byte[] cookie;
        try
        {
            cookie = ClusterCookie.Load(cookieFile, DataRoot.Resolve(dataRoot)).Secret;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"iridium: {e.Message}");
            return ExitCodes.Config;
        }
        try
        {
            var members = MembersClient.QueryAsync(host, port, cookie, TimeSpan.FromMilliseconds(timeoutMs)).GetAwaiter().GetResult();
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
        }
        catch (ClusterClientException e)
        {
            Console.Error.WriteLine($"iridium: {e.Message}");
            return ExitCodes.Unavailable;
        }
    }
}
