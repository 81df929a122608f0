using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Configuration;
using Iridium.Cli.Hosting;
using Iridium.Cli.Programs;
using Iridium.Cluster;
using Iridium.Repl.Console;
using Iridium.Repl.Engine;
using Iridium.Repl.Remote;
using Iridium.Vm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iridium.Cli.Commands;

/// <summary>
/// `iridium` with no command: the console REPL (docs/reference/runtime.md, "The REPL"), plus the remote REPL with
/// <c>-r</c>, sharing one process runtime (its scheduler runs every VM on <c>--threads</c>
/// threads) and one cluster node that is
/// created on the first cluster command. With <c>-r</c> and no terminal on stdin, only the remote
/// REPL, until SIGINT or SIGTERM.
/// </summary>
internal sealed class ReplCommand
{
    /// <summary>Start the REPL: type assembly to run it, or !help. With -r, also serve it over TCP.</summary>
    /// <param name="enableRemoteAccess">-r, Also serve the REPL to remote users who know the cluster cookie; with no terminal on stdin, only serve it, until SIGINT or SIGTERM.</param>
    /// <param name="bindHost">Address of the remote REPL (default 127.0.0.1).</param>
    /// <param name="bindPort">-p, Port of the remote REPL.</param>
    /// <param name="nodeAlias">Node name in the cluster. Default: the contents of .node_id in the data root, else a new UUID written there.</param>
    /// <param name="serverBindHost">-H, Address of the cluster listener for !start_cluster and !join_cluster (default 127.0.0.1).</param>
    /// <param name="serverBindPort">-P, Port of the cluster listener.</param>
    /// <param name="threads">-t, Scheduler threads that run the REPL's VMs (the console's, remote sessions', spawned ones). Default: the number of processors.</param>
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
            FlagRules.Range(NodeSettingsSchema.BindPort, bindPort);
            FlagRules.Range(NodeSettingsSchema.ServerBindPort, serverBindPort);
            FlagRules.Range(NodeSettingsSchema.Threads, threads);
            FlagRules.Range(NodeSettingsSchema.MaxSteps, maxSteps);
            FlagRules.Range(NodeSettingsSchema.MaxHeapBytes, maxHeapBytes);
            FlagRules.Range(NodeSettingsSchema.MaxTotalHeapBytes, maxTotalHeapBytes);
            FlagRules.Range(NodeSettingsSchema.MaxOutputBytes, maxOutputBytes);
            var process = new ProcessContext(((GlobalOptions)context.GlobalOptions!).Process(nodeAlias));

            // Only history and remote access need the data root: without one the REPL still runs.
            string? dataRoot = process.TryGetDataRoot(out string? problem);
            if (problem is not null) Console.Error.WriteLine($"iridium: warning: {problem}; history will not be kept");

            var remoteLimits = NodeSettings.Empty.Set(NodeSettingsSchema.MaxSteps, maxSteps).Set(NodeSettingsSchema.MaxHeapBytes, maxHeapBytes)
                .Set(NodeSettingsSchema.MaxOutputBytes, maxOutputBytes).RemoteLimits;
            long totalHeapBytes = maxTotalHeapBytes ?? Defaults.TotalHeapBytes;
            int vmThreads = threads ?? Defaults.Threads;
            if (enableRemoteAccess && Console.IsInputRedirected)
                return await ServeHeadlessAsync(bindHost, bindPort, remoteLimits, totalHeapBytes, vmThreads, process).ConfigureAwait(false);

            using var console = new ConsoleRepl(dataRoot is null ? null : ProcessContext.HistoryPath(dataRoot), VersionInfo.Version);
            using var memory = new VmMemory(totalHeapBytes, console.Reports);
            using var processes = new ProcessRuntime(new ProcessLimits { Schedulers = vmThreads }, alias: process.GivenAlias);
            RemoteReplServer? server = enableRemoteAccess
                ? RemoteReplHosting.Start(bindHost, bindPort, remoteLimits, process, processes, memory.Budget, console.Reports)
                : null;
            try
            {
                var clusterSettings = NodeSettings.Empty.Set(NodeSettingsSchema.ServerBindHost, serverBindHost).Set(NodeSettingsSchema.ServerBindPort, serverBindPort);
                // The cluster's log lines would garble the console line: the REPL's node is quiet.
                await using var cluster = new ClusterNodeControl(() => new ClusterNode(ClusterOptionsFor(clusterSettings, process, memory), NullLoggerFactory.Instance));
                var options = new ReplSessionOptions
                {
                    // The alias is resolved (and .node_id written) only when the cluster is used; until
                    // then the REPL's VMs carry the alias only when one was given.
                    Alias = process.GivenAlias,
                    MaxSteps = maxSteps,
                    MaxHeapBytes = maxHeapBytes ?? Defaults.MaxHeapBytes,
                    HeapBudget = memory.Budget,
                    Processes = processes,
                    Cluster = cluster,
                };
                return StatusOf(await console.RunAsync(options).ConfigureAwait(false));
            }
            finally
            {
                if (server is not null) await server.DisposeAsync().ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

    /// <summary>
    /// A piped script's exit status: 0 when every line ran, else what `iridium run` gives for the
    /// first line that failed (65 assembly errors, 66 a file that cannot be read, 1 IGL or the
    /// end of the program, 10 + N a fault, 19 for a spent --max-steps budget).
    /// </summary>
    private static int StatusOf(ReplFailure? failure) => failure switch
    {
        null => ExitCodes.Ok,
        { Kind: ReplFailureKind.InvalidProgram } => ExitCodes.InvalidProgram,
        { Kind: ReplFailureKind.UnreadableFile } => ExitCodes.NoInput,
        { } failed => ProgramStatus.Of(failed.EventKind, failed.Code),
    };

    /// <summary>The REPL's node: programs other members exec here count in the REPL's heap budget too.</summary>
    private static ClusterOptions ClusterOptionsFor(NodeSettings settings, ProcessContext process, VmMemory memory)
    {
        var options = settings.ToClusterOptions(process.Alias, process.Cookie);
        options.Exec = settings.ExecLimits(memory.Budget);
        return options;
    }

    /// <summary>
    /// <c>iridium -r</c> with no terminal on stdin (<c>&lt; /dev/null</c>, <c>&amp;</c>, a service
    /// manager): there is no console to offer, so it serves the remote REPL, logging like a node,
    /// until SIGINT or SIGTERM, and then exits 0.
    /// </summary>
    private static async Task<int> ServeHeadlessAsync(string bindHost, int bindPort, RemoteSessionLimits limits, long totalHeapBytes, int threads, ProcessContext process)
    {
        using var shutdown = new ShutdownSignal();
        using var loggerFactory = ClusterLogging.Create(LogLevel.Information);
        var log = ClusterLogging.Writer(loggerFactory.CreateLogger("Iridium.Repl.Remote"));
        using var memory = new VmMemory(totalHeapBytes, log);
        using var processes = new ProcessRuntime(new ProcessLimits { Schedulers = threads }, alias: process.GivenAlias);
        await using var server = RemoteReplHosting.Start(bindHost, bindPort, limits, process, processes, memory.Budget, log);
        log.WriteLine("stdin is not a terminal: serving the remote REPL until SIGINT or SIGTERM");
        await shutdown.WaitAsync().ConfigureAwait(false);
        log.WriteLine("stopping the remote REPL");
        return ExitCodes.Ok;
    }
}
