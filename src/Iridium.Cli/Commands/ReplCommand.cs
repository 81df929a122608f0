using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Configuration;
using Iridium.Cli.Hosting;
using Iridium.Cluster;
using Iridium.Repl.Console;
using Iridium.Repl.Engine;
using Iridium.Repl.Remote;
using Iridium.Repl.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iridium.Cli.Commands;

/// <summary>
/// `iridium` with no command: the console REPL (runtime.md §3), plus the remote REPL with
/// <c>-r</c> (§4), sharing one scheduler (bounded by <c>--threads</c>) and one cluster node that is
/// created on the first cluster command.
/// </summary>
internal sealed class ReplCommand
{
    /// <summary>Start the REPL: type assembly to run it, or !help. With -r, also serve it over TCP.</summary>
    /// <param name="enableRemoteAccess">-r, Also serve the REPL to remote users who know the cluster cookie.</param>
    /// <param name="bindHost">Address of the remote REPL (default 127.0.0.1).</param>
    /// <param name="bindPort">-p, Port of the remote REPL.</param>
    /// <param name="nodeAlias">Node name in the cluster. Default: the contents of .node_id in the data root, else a new UUID written there.</param>
    /// <param name="serverBindHost">-H, Address of the cluster listener for !start_cluster and !join_cluster (default 127.0.0.1).</param>
    /// <param name="serverBindPort">-P, Port of the cluster listener.</param>
    /// <param name="threads">-t, Spawned VMs that run at once. Default: the number of processors.</param>
    /// <param name="maxSteps">Step budget of each run: remote sessions default to 10000000, the console is unlimited.</param>
    /// <param name="maxHeapBytes">Heap cap of each VM, at least 16777216: the console's defaults to 64 MiB, remote sessions' to 16 MiB.</param>
    /// <param name="maxTotalHeapBytes">Bytes all the VM heaps of this process may hold together (default 1 GiB, or half the memory if less).</param>
    /// <param name="maxOutputBytes">Program output one line of a remote session may print (default 1048576).</param>
    [Command("")]
    public async Task<int> Repl(ConsoleAppContext context, bool enableRemoteAccess = false, [HideDefaultValue] string bindHost = Defaults.BindHost,
        int bindPort = Defaults.RemoteReplPort, [HideDefaultValue] string? nodeAlias = null, [HideDefaultValue] string serverBindHost = Defaults.BindHost,
        int serverBindPort = Defaults.ClusterPort, [HideDefaultValue] int? threads = null, [HideDefaultValue] long? maxSteps = null,
        [HideDefaultValue] int? maxHeapBytes = null, [HideDefaultValue] long? maxTotalHeapBytes = null, [HideDefaultValue] long? maxOutputBytes = null)
        => await CommandBody.RunAsync("", async () =>
        {
            FlagRules.Range("bind_port", bindPort);
            FlagRules.Range("server_bind_port", serverBindPort);
            FlagRules.Range("threads", threads);
            FlagRules.Range("max_steps", maxSteps);
            FlagRules.Range("max_heap_bytes", maxHeapBytes);
            FlagRules.Range("max_total_heap_bytes", maxTotalHeapBytes);
            FlagRules.Range("max_output_bytes", maxOutputBytes);
            var process = new ProcessContext(((GlobalOptions)context.GlobalOptions!).Process(nodeAlias));

            // Only history and remote access need the data root: without one the REPL still runs.
            string? dataRoot = process.TryGetDataRoot(out string? problem);
            if (problem is not null) Console.Error.WriteLine($"iridium: warning: {problem}; history will not be kept");

            using var memory = new VmMemory(maxTotalHeapBytes ?? Defaults.TotalHeapBytes, Console.Error);
            var scheduler = new VmScheduler(threads ?? Defaults.Threads, memory.Budget);
            var remoteLimits = new NodeSettings { MaxSteps = maxSteps, MaxHeapBytes = maxHeapBytes, MaxOutputBytes = maxOutputBytes }.RemoteLimits;
            RemoteReplServer? server = enableRemoteAccess
                ? RemoteReplHosting.Start(bindHost, bindPort, remoteLimits, process, scheduler, Console.Error)
                : null;
            try
            {
                var clusterSettings = new NodeSettings { ServerBindHost = serverBindHost, ServerBindPort = serverBindPort };
                // The cluster's log lines would garble the console line: the REPL's node is quiet.
                await using var cluster = new ClusterNodeControl(() => new ClusterNode(clusterSettings.ToClusterOptions(process.Alias, process.Cookie), NullLoggerFactory.Instance));
                var options = new ReplSessionOptions
                {
                    // The alias is resolved (and .node_id written) only when the cluster is used; until
                    // then the REPL's VMs carry the alias only when one was given.
                    Alias = process.GivenAlias,
                    MaxSteps = maxSteps,
                    MaxHeapBytes = maxHeapBytes ?? Defaults.MaxHeapBytes,
                    HeapBudget = memory.Budget,
                    Scheduler = scheduler,
                    Cluster = cluster,
                };
                return await ConsoleRepl.RunAsync(options, dataRoot is null ? null : ProcessContext.HistoryPath(dataRoot)).ConfigureAwait(false);
            }
            finally
            {
                if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
}
