using Iridium.Cluster;
using Iridium.Cluster.Configuration;
using Iridium.Cluster.Security;
using Iridium.Repl.Cluster;
using Iridium.Repl.Console;
using Iridium.Repl.Engine;
using Iridium.Repl.Remote;
using Iridium.Repl.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iridium.Repl.Hosting;

/// <summary>
/// <c>iridium</c> with no subcommand: the local console REPL, plus the remote REPL server with
/// <c>-r</c>, sharing one scheduler (bounded by <c>--threads</c>) and one cluster node.
/// </summary>
public static class ReplHost
{
    public const int ExitOk = 0;
    /// <summary>The remote server could not start (bad address, port in use, no cookie): EX_UNAVAILABLE.</summary>
    public const int ExitUnavailable = 69;

    /// <param name="loggerFactory">For the cluster node; null keeps it quiet (its logs would garble the console line).</param>
    public static async Task<int> RunAsync(ReplHostSettings settings, ILoggerFactory? loggerFactory = null)
    {
        var error = System.Console.Error;
        string? dataRoot = ResolveDataRoot(settings.DataRootDir, error);
        var scheduler = new VmScheduler(settings.Threads);

        RemoteReplServer? server = null;
        if (settings.EnableRemoteAccess)
        {
            if (dataRoot is null)
            {
                error.WriteLine("iridium: remote access needs a data root (for the cookie and the program directory)");
                return ExitUnavailable;
            }
            try
            {
                server = RemoteAccess.Start(settings.BindHost, settings.BindPort, dataRoot, settings.CookieFile, settings.MaxSteps, scheduler, error);
            }
            catch (Exception e) when (e is InvalidOperationException or System.Net.Sockets.SocketException or IOException)
            {
                error.WriteLine($"iridium: cannot start the remote REPL on {settings.BindHost}:{settings.BindPort}: {e.Message}");
                return ExitUnavailable;
            }
        }

        await using var cluster = new ClusterNodeControl(() => CreateNode(settings, dataRoot, loggerFactory));
        try
        {
            var options = new ReplSessionOptions
            {
                // The alias is resolved (and .node_id written) only when the cluster is used; until
                // then the REPL's VMs carry the alias only when one was given.
                Alias = settings.NodeAlias,
                MaxSteps = settings.MaxSteps,
                Scheduler = scheduler,
                Cluster = cluster,
            };
            return await ConsoleRepl.RunAsync(options, dataRoot is null ? null : Path.Combine(dataRoot, "history")).ConfigureAwait(false);
        }
        finally
        {
            if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static ClusterNode CreateNode(ReplHostSettings settings, string? dataRoot, ILoggerFactory? loggerFactory)
    {
        string alias = NodeAlias.Resolve(settings.NodeAlias, Environment.CurrentDirectory);
        if (dataRoot is null) throw new InvalidOperationException("no data root for the cluster cookie");
        var options = new ClusterOptions
        {
            Alias = alias,
            BindHost = settings.ServerBindHost,
            BindPort = settings.ServerBindPort,
            Cookie = ClusterCookie.Load(settings.CookieFile, dataRoot).Secret,
        };
        options.Validate();
        return new ClusterNode(options, loggerFactory ?? NullLoggerFactory.Instance);
    }

    /// <summary>PROPOSED (§1.2): a data root that cannot be created is a warning; only history and remote access need it.</summary>
    private static string? ResolveDataRoot(string? requested, TextWriter error)
    {
        try
        {
            return DataRoot.Resolve(requested);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"iridium: warning: cannot use the data root {requested}: {e.Message}; history will not be kept");
            return null;
        }
    }
}
