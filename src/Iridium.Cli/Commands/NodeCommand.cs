using System.Net.Sockets;
using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Configuration;
using Iridium.Cli.Hosting;
using Iridium.Cluster;
using Iridium.Repl.Remote;
using Iridium.Repl.Scheduling;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Commands;

/// <summary>`iridium node`: a headless cluster node until SIGINT or SIGTERM, then a graceful Leave.</summary>
internal sealed class NodeCommand
{
    /// <summary>Run a headless cluster node that logs to stderr until SIGINT or SIGTERM, then leaves the cluster.</summary>
    /// <param name="nodeAlias">Node name, unique in the cluster. Default: the contents of .node_id in the data root, else a new UUID written there.</param>
    /// <param name="serverBindHost">-H, Cluster listener address (default 127.0.0.1; 0.0.0.0 for all interfaces).</param>
    /// <param name="serverBindPort">-P, Cluster listener port, also the advertised port (default 2254).</param>
    /// <param name="portSearch">Try the next N ports when the bind port is taken (default 0).</param>
    /// <param name="advertiseHost">Address peers should use to reach this node (containers, NAT).</param>
    /// <param name="join">HOST:PORT of a member to join through, or dns:NAME:PORT for every address of NAME (looked up on each try); repeat it or separate with commas. Retried with backoff until one answers.</param>
    /// <param name="config">A TOML (.toml) or JSON (.json) file of these settings, keys in snake_case (server_bind_port); flags override it.</param>
    /// <param name="heartbeatMs">Heartbeat interval in milliseconds (default 1000).</param>
    /// <param name="failureTimeoutMs">Mark a silent peer down after this many milliseconds (default 3000, or 3 heartbeats if longer).</param>
    /// <param name="downRetentionMs">Keep listing a member that went down (status down, with why and since when) for this many milliseconds (default 60000).</param>
    /// <param name="threads">-t, Spawned VMs that run at once for remote sessions (default: the number of processors).</param>
    /// <param name="verbose">-v, Log debug detail (dial failures, connection races).</param>
    /// <param name="enableRemoteAccess">-r, Also serve the remote REPL (cookie authentication); sessions get their own VMs.</param>
    /// <param name="bindHost">Address of the remote REPL (default 127.0.0.1).</param>
    /// <param name="bindPort">-p, Port of the remote REPL (default 2244).</param>
    /// <param name="maxSteps">Step budget of each run a remote session starts (default 10000000).</param>
    /// <param name="maxHeapBytes">Heap cap of each remote session's VM and of the VMs it spawns, at least 16777216 (default 16 MiB).</param>
    /// <param name="maxTotalHeapBytes">Bytes all the VM heaps of this node may hold together; an ALOC past it faults HEAP (default 1 GiB, or half the memory if less).</param>
    /// <param name="maxOutputBytes">Program output one line of a remote session may print; the rest is dropped with a message (default 1048576).</param>
    /// <param name="execMaxRunning">Programs 'iridium exec' runs here at once (default: the number of processors).</param>
    /// <param name="execMaxQueued">Programs that may wait for a slot; beyond that exec is refused with a message (default: 4 per processor).</param>
    /// <param name="execMaxImageBytes">Largest program image exec may send here (default 524288, within the frame cap).</param>
    /// <param name="execMaxSteps">Step cap of every program exec runs here, whatever the client asks (default: none).</param>
    [Command(CommandRouter.Node)]
    public async Task<int> Node(ConsoleAppContext context, [HideDefaultValue] string? nodeAlias = null, [HideDefaultValue] string? serverBindHost = null,
        [HideDefaultValue] int? serverBindPort = null, [HideDefaultValue] int? portSearch = null, [HideDefaultValue] string? advertiseHost = null,
        [HideDefaultValue] string? join = null, [HideDefaultValue] string? config = null, [HideDefaultValue] int? heartbeatMs = null,
        [HideDefaultValue] int? failureTimeoutMs = null, [HideDefaultValue] int? downRetentionMs = null, [HideDefaultValue] int? threads = null, bool verbose = false, bool enableRemoteAccess = false,
        [HideDefaultValue] string? bindHost = null, [HideDefaultValue] int? bindPort = null, [HideDefaultValue] long? maxSteps = null,
        [HideDefaultValue] int? maxHeapBytes = null, [HideDefaultValue] long? maxTotalHeapBytes = null, [HideDefaultValue] long? maxOutputBytes = null,
        [HideDefaultValue] int? execMaxRunning = null, [HideDefaultValue] int? execMaxQueued = null, [HideDefaultValue] int? execMaxImageBytes = null,
        [HideDefaultValue] long? execMaxSteps = null, CancellationToken cancellationToken = default)
        => await CommandBody.RunAsync(CommandRouter.Node, async () =>
        {
            var globals = (GlobalOptions)context.GlobalOptions!;
            var flags = new NodeSettings
            {
                NodeAlias = nodeAlias,
                ServerBindHost = serverBindHost,
                ServerBindPort = serverBindPort,
                PortSearch = portSearch,
                AdvertiseHost = advertiseHost,
                Join = Seeds(context),
                DataRootDir = globals.DataRootDir,
                CookieFile = globals.CookieFile,
                HeartbeatMs = heartbeatMs,
                FailureTimeoutMs = failureTimeoutMs,
                DownRetentionMs = downRetentionMs,
                Threads = threads,
                Verbose = verbose ? true : null,
                EnableRemoteAccess = enableRemoteAccess ? true : null,
                BindHost = bindHost,
                BindPort = bindPort,
                MaxSteps = maxSteps,
                MaxHeapBytes = maxHeapBytes,
                MaxTotalHeapBytes = maxTotalHeapBytes,
                MaxOutputBytes = maxOutputBytes,
                ExecMaxRunning = execMaxRunning,
                ExecMaxQueued = execMaxQueued,
                ExecMaxImageBytes = execMaxImageBytes,
                ExecMaxSteps = execMaxSteps,
            };
            CheckRanges(flags);
            var settings = config is null ? flags : ConfigFile.Load(config).With(flags);
            return await RunAsync(settings, config, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);

    private static async Task<int> RunAsync(NodeSettings settings, string? configFile, CancellationToken stop)
    {
        var process = new ProcessContext(settings.Process);
        var options = settings.ToClusterOptions(process.Alias, process.Cookie);
        using var loggerFactory = ClusterLogging.Create(settings.Verbose == true ? LogLevel.Debug : LogLevel.Information);
        using var memory = new VmMemory(settings.MaxTotalHeapBytes ?? Defaults.TotalHeapBytes, ClusterLogging.Writer(loggerFactory.CreateLogger("Iridium.Vm.Memory")));
        options.Exec = settings.ExecLimits(memory.Budget);
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw configFile is null ? CommandFailure.Usage(e.Message) : CommandFailure.Config($"{configFile} with the flags: {e.Message}");
        }

        await using var node = new ClusterNode(options, loggerFactory);
        // Remote sessions' spawned VMs are processes of this node: `iridium ps` lists them.
        var scheduler = new VmScheduler(settings.Threads ?? Defaults.Threads, memory.Budget) { Processes = node.Processes };
        RemoteReplServer? replServer = settings.EnableRemoteAccess == true
            ? RemoteReplHosting.Start(settings.BindHost ?? Defaults.BindHost, settings.BindPort ?? Defaults.RemoteReplPort,
                settings.RemoteLimits, process, scheduler, ClusterLogging.Writer(loggerFactory.CreateLogger("Iridium.Repl.Remote")))
            : null;
        try
        {
            try
            {
                await node.StartAsync(stop).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                string remedy = options.PortSearch > 0
                    ? $"ports {options.BindPort}-{options.BindPort + options.PortSearch} are all taken; choose another --server-bind-port or a larger --port-search"
                    : "choose another --server-bind-port, or let --port-search N try the next N ports";
                throw ListenFailure.For("cluster", options.BindHost, options.BindPort, e, remedy);
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // SIGINT or SIGTERM: leave, so the peers drop this node at once.
            }
            await node.LeaveAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        finally
        {
            if (replServer is not null) await replServer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Every <c>--join</c> given, each possibly a comma-separated list.</summary>
    private static IReadOnlyList<string>? Seeds(ConsoleAppContext context)
    {
        var seeds = RepeatedOption.Values(context.CommandArguments, "--join")
            .SelectMany(value => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        foreach (string seed in seeds)
        {
            if (ClusterOptions.SeedProblem(seed) is { } problem) throw CommandFailure.Usage($"--join: {problem}");
        }
        return seeds.Length > 0 ? seeds : null;
    }

    private static void CheckRanges(NodeSettings flags)
    {
        FlagRules.Range("server_bind_port", flags.ServerBindPort);
        FlagRules.Range("port_search", flags.PortSearch);
        FlagRules.Range("heartbeat_ms", flags.HeartbeatMs);
        FlagRules.Range("failure_timeout_ms", flags.FailureTimeoutMs);
        FlagRules.Range("down_retention_ms", flags.DownRetentionMs);
        FlagRules.Range("threads", flags.Threads);
        FlagRules.Range("bind_port", flags.BindPort);
        FlagRules.Range("max_steps", flags.MaxSteps);
        FlagRules.Range("max_heap_bytes", flags.MaxHeapBytes);
        FlagRules.Range("max_total_heap_bytes", flags.MaxTotalHeapBytes);
        FlagRules.Range("max_output_bytes", flags.MaxOutputBytes);
        FlagRules.Range("exec_max_running", flags.ExecMaxRunning);
        FlagRules.Range("exec_max_queued", flags.ExecMaxQueued);
        FlagRules.Range("exec_max_image_bytes", flags.ExecMaxImageBytes);
        FlagRules.Range("exec_max_steps", flags.ExecMaxSteps);
    }
}
