using System.Net.Sockets;
using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Configuration;
using Iridium.Cli.Hosting;
using Iridium.Cluster;
using Iridium.Cluster.Transport;
using Iridium.Repl.Remote;
using Iridium.Vm;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Commands;

/// <summary>`iridium node`: a headless cluster node until SIGINT or SIGTERM, then a graceful Leave.</summary>
internal sealed class NodeCommand
{
    /// <summary>The first line of `iridium node --help`: the sentence the generator copies from <see cref="Node"/>'s summary into the command list.</summary>
    private const string Summary = "Run a headless cluster node that logs to stderr until SIGINT or SIGTERM, then leaves the cluster.";

    /// <summary>Run a headless cluster node that logs to stderr until SIGINT or SIGTERM, then leaves the cluster.</summary>
    /// <remarks>
    /// Registered with the generated parser only so that `iridium --help` lists the command: the
    /// router hands node's arguments to <see cref="Run"/>, which parses them from the settings
    /// schema (<see cref="NodeOptionParser"/>). Reached here only if that ever changes.
    /// </remarks>
    [Command(CommandRouter.Node)]
    public int Node(ConsoleAppContext context) => Run(context.CommandArguments.ToArray());

    /// <summary>`iridium node ARGS...`: the flags, then the config file under them, then the node until a signal.</summary>
    public static int Run(string[] args)
    {
        // Before any socket exists: messages between members are decoded where they arrive.
        SocketCompletions.RunInline();
        using var shutdown = new ShutdownSignal();
        return CommandBody.RunAsync(CommandRouter.Node, async () =>
        {
            if (NodeOptionParser.Parse(args) is not { } flags)
            {
                Console.Out.Write(NodeOptionParser.Help(Summary));
                return ExitCodes.Ok;
            }
            string? config = flags.Get(NodeSettingsSchema.Config);
            var settings = config is null ? flags : ConfigFile.Load(config).With(flags);
            return await RunAsync(settings, config, shutdown.Token).ConfigureAwait(false);
        }).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(NodeSettings settings, string? configFile, CancellationToken stop)
    {
        var process = new ProcessContext(settings.Process);
        var options = settings.ToClusterOptions(process.Alias, process.Cookie);
        using var loggerFactory = ClusterLogging.Create(settings.Get(NodeSettingsSchema.Verbose) == true ? LogLevel.Debug : LogLevel.Information);
        using var memory = new VmMemory(settings.Get(NodeSettingsSchema.MaxTotalHeapBytes) ?? Defaults.TotalHeapBytes, ClusterLogging.Writer(loggerFactory.CreateLogger("Iridium.Vm.Memory")));
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
        await using var store = StoreHosting.Prepare(settings, node, process.Alias, () => process.DataRoot, loggerFactory);
        // Remote sessions and the VMs they spawn are processes of this node's runtime: `iridium ps` lists them.
        RemoteReplServer? replServer = settings.Get(NodeSettingsSchema.EnableRemoteAccess) == true
            ? RemoteReplHosting.Start(settings.Get(NodeSettingsSchema.BindHost) ?? Defaults.BindHost, settings.Get(NodeSettingsSchema.BindPort) ?? Defaults.RemoteReplPort,
                settings.RemoteLimits, process, node.Processes, memory.Budget, ClusterLogging.Writer(loggerFactory.CreateLogger("Iridium.Repl.Remote")), settings.RemoteLog)
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
            await store.StartAsync(stop).ConfigureAwait(false);
            // Until SIGINT or SIGTERM (leave, so the peers drop this node at once), or until the
            // seeds have refused this node's alias long enough that it cannot be a restart.
            var signalled = Task.Delay(Timeout.Infinite, stop);
            await Task.WhenAny(signalled, node.JoinRefused).ConfigureAwait(false);
            await node.LeaveAsync(CancellationToken.None).ConfigureAwait(false);
            if (!signalled.IsCompleted && node.JoinRefused.IsCompleted)
                throw CommandFailure.Config($"alias '{options.Alias}': {await node.JoinRefused.ConfigureAwait(false)}; choose another --node-alias");
            return ExitCodes.Ok;
        }
        finally
        {
            if (replServer is not null) await replServer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
