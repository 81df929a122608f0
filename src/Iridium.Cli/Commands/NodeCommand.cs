using System.CommandLine;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Iridium.Cluster.Configuration;
using Iridium.Repl.Hosting;
using Iridium.Repl.Remote;
using Iridium.Repl.Scheduling;
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
        var remote = new Option<bool>("--enable-remote-access", "-r") { Description = "Also serve the remote REPL (cookie authentication); sessions get their own VMs." };
        var replHost = new Option<string>("--bind-host") { Description = "Address of the remote REPL.", DefaultValueFactory = _ => "127.0.0.1", HelpName = "HOST" };
        var replPort = new Option<int>("--bind-port", "-p") { Description = "Port of the remote REPL.", DefaultValueFactory = _ => 2244, HelpName = "PORT" };
        var maxSteps = new Option<long?>("--max-steps") { Description = "Step budget of code run by remote sessions (default 10000000).", HelpName = "N", CustomParser = OptionParsers.NonNegativeLong };

        var command = new Command("node", "Run a headless cluster node that logs to stderr until SIGINT or SIGTERM, then leaves the cluster.")
        {
            alias, bindHost, bindPort, dataRoot, threads, join, config, cookieFile, portSearch, advertiseHost, heartbeat, failureTimeout, verbose,
            remote, replHost, replPort, maxSteps,
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
            var remoteAccess = parse.GetValue(remote)
                ? new RemoteSettings(parse.GetValue(replHost)!, parse.GetValue(replPort), parse.GetValue(maxSteps))
                : null;
            return Execute(parse.GetValue(config), flags, parse.GetValue(verbose), remoteAccess);
        });
        return command;
    }

    /// <summary>The remote REPL a node may serve beside its cluster port.</summary>
    private sealed record RemoteSettings(string BindHost, int BindPort, long? MaxSteps);

    private static int Execute(string? configFile, NodeSettings flags, bool verbose, RemoteSettings? remote)
    {
        Iridium.Cluster.ClusterOptions options;
        NodeSettings settings;
        try
        {
            settings = configFile is null ? flags : NodeSettings.Load(configFile).With(flags);
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
        RemoteReplServer? replServer = null;
        try
        {
            if (remote is not null)
            {
                var scheduler = new VmScheduler(Math.Max(1, settings.Threads ?? Environment.ProcessorCount));
                replServer = RemoteAccess.Start(remote.BindHost, remote.BindPort, DataRoot.Resolve(settings.DataRootDir),
                    settings.CookieFile, remote.MaxSteps, scheduler, Console.Error);
            }
            NodeRunner.RunAsync(options, loggerFactory, stop.Token).GetAwaiter().GetResult();
            return ExitCodes.Ok;
        }
        catch (SocketException e)
        {
            loggerFactory.CreateLogger("iridium").LogError("cannot listen: {Message}", e.Message);
            return ExitCodes.Unavailable;
        }
        catch (InvalidOperationException e) when (replServer is null && remote is not null)
        {
            Console.Error.WriteLine($"iridium: remote REPL: {e.Message}");
            return ExitCodes.Config;
        }
        finally
        {
            replServer?.Stop();
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after telling the peers
            stop.Cancel();
        }
    }
}
