using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Iridium.Cluster.Configuration;
using Microsoft.Extensions.Logging;

namespace Iridium.Cli.Commands;

/// <summary>`iridium node [flags] [--join HOST:PORT]... [--config FILE]`: a headless cluster node until SIGINT/SIGTERM.</summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var alias = new Option<string?>("--node-alias") { Description = "Node name, unique in the cluster. Default: contents of ./.node_id, else a new UUID written there.", HelpName = "ALIAS" };
        var bindHost = new Option<string?>("--server-bind-host", "-H") { Description = "Cluster listener address (default 127.0.0.1; 0.0.0.0 for all interfaces).", HelpName = "HOST" };
        var bindPort = new Option<int?>("--server-bind-port", "-P") { Description = "Cluster listener port, also the advertised port (default 2254).", HelpName = "PORT" };
        var dataRoot = new Option<string?>("--data-root-dir") { Description = "Data directory holding the cookie (default /var/lib/iridium, else the user's data directory).", HelpName = "DIR" };
        var threads = new Option<int?>("--threads", "-t") { Description = "Worker threads for VMs (accepted for compatibility; the node itself needs none).", HelpName = "N" };
        var join = new Option<string[]>("--join") { Description = "A member to join through; repeatable. Retried with backoff until one answers.", HelpName = "HOST:PORT" };
        var config = new Option<string?>("--config") { Description = "JSON file with the same settings (camelCase flag names); flags override it.", HelpName = "FILE" };
        var cookieFile = new Option<string?>("--cookie-file") { Description = "File holding the cluster cookie (else $IRIDIUM_COOKIE, else <data-root>/cookie).", HelpName = "PATH" };
        var portSearch = new Option<int?>("--port-search") { Description = "Try the next N ports when the bind port is taken.", HelpName = "N" };
        var advertiseHost = new Option<string?>("--advertise-host") { Description = "Address peers should use to reach this node (containers, NAT).", HelpName = "HOST" };
        var heartbeat = new Option<int?>("--heartbeat-ms") { Description = "Heartbeat interval in milliseconds (default 1000).", HelpName = "MS" };
        var failureTimeout = new Option<int?>("--failure-timeout-ms") { Description = "Mark a silent peer down after this many milliseconds (default 3000).", HelpName = "MS" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log debug detail (dial failures, connection races)." };

        var command = new Command("node", "Run a headless cluster node that logs to stderr until SIGINT or SIGTERM, then leaves the cluster.")
        {
            alias, bindHost, bindPort, dataRoot, threads, join, config, cookieFile, portSearch, advertiseHost, heartbeat, failureTimeout, verbose,
        };
        command.SetAction(parse =>
        {
            var flags = new NodeSettings
            {
                NodeAlias = parse.GetValue(alias),
                ServerBindHost = parse.GetValue(bindHost),
                ServerBindPort = parse.GetValue(bindPort),
                DataRootDir = parse.GetValue(dataRoot),
                Threads = parse.GetValue(threads),
                Join = parse.GetValue(join) is { Length: > 0 } seeds ? [.. seeds] : null,
                CookieFile = parse.GetValue(cookieFile),
                PortSearch = parse.GetValue(portSearch),
                AdvertiseHost = parse.GetValue(advertiseHost),
                HeartbeatMs = parse.GetValue(heartbeat),
                FailureTimeoutMs = parse.GetValue(failureTimeout),
            };
            return Execute(parse.GetValue(config), flags, parse.GetValue(verbose));
        });
        return command;
    }

    private static int Execute(string? configFile, NodeSettings flags, bool verbose)
    {
        Iridium.Cluster.ClusterOptions options;
        try
        {
            var settings = configFile is null ? flags : NodeSettings.Load(configFile).With(flags);
            options = NodeRunner.ResolveOptions(settings, Environment.CurrentDirectory);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            Console.Error.WriteLine($"iridium: {e.Message}");
            return ExitCodes.Config;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var loggerFactory = ClusterLogging.Create(verbose ? LogLevel.Debug : LogLevel.Information);
        try
        {
            NodeRunner.RunAsync(options, loggerFactory, stop.Token).GetAwaiter().GetResult();
            return ExitCodes.Ok;
        }
        catch (SocketException e)
        {
            loggerFactory.CreateLogger("iridium").LogError("cannot listen on {Host}:{Port}: {Message}", options.BindHost, options.BindPort, e.Message);
            return ExitCodes.Unavailable;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after telling the peers
            stop.Cancel();
        }
    }
}
