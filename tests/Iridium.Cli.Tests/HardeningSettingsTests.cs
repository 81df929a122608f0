using Iridium.Cli.CommandLine;
using Iridium.Cli.Configuration;
using Iridium.Cluster;
using Iridium.Repl.Remote;

namespace Iridium.Cli.Tests;

/// <summary>The client and queue limits and the remote REPL's log throttle reach the node as set, and keep the library's defaults when not.</summary>
public class HardeningSettingsTests
{
    private static readonly byte[] Cookie = [1, 2, 3];

    [Fact]
    public void FlagsSetTheLimits()
    {
        var settings = NodeOptionParser.Parse([
            "--max-client-connections-per-address", "5", "--client-idle-timeout-ms", "1500", "--max-requests-per-client", "7",
            "--client-queue-bytes", "100000", "--peer-queue-bytes", "200000", "--remote-log-lines-per-address", "0", "--remote-log-period-ms", "2500",
        ])!;
        var options = settings.ToClusterOptions("n1", Cookie);
        Assert.Equal(5, options.MaxClientConnectionsPerAddress);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ClientIdleTimeout);
        Assert.Equal(7, options.MaxRequestsPerClient);
        Assert.Equal(100000, options.ClientQueueBytes);
        Assert.Equal(200000, options.PeerQueueBytes);
        Assert.Equal(new Hosting.RemoteLogThrottle(0, TimeSpan.FromMilliseconds(2500)), settings.RemoteLog);
    }

    [Fact]
    public void UnsetLimitsKeepTheLibrarysDefaults()
    {
        var options = NodeSettings.Empty.ToClusterOptions("n1", Cookie);
        var defaults = new ClusterOptions { BindHost = "x", BindPort = 0, HeartbeatInterval = TimeSpan.FromSeconds(1), FailureTimeout = TimeSpan.FromSeconds(3), MaxFrameBytes = 1 << 20, DownRetention = TimeSpan.Zero };
        Assert.Equal(defaults.MaxClientConnectionsPerAddress, options.MaxClientConnectionsPerAddress);
        Assert.Equal(defaults.ClientIdleTimeout, options.ClientIdleTimeout);
        Assert.Equal(defaults.MaxRequestsPerClient, options.MaxRequestsPerClient);
        Assert.Equal(defaults.ClientQueueBytes, options.ClientQueueBytes);
        Assert.Equal(defaults.PeerQueueBytes, options.PeerQueueBytes);
        Assert.Equal(new Hosting.RemoteLogThrottle(null, null), NodeSettings.Empty.RemoteLog);
        Assert.Equal(5, RemoteServerOptions.DefaultLogLinesPerAddress);
    }

    [Fact]
    public void OutOfRangeValuesAreRefusedWithTheFlag()
    {
        var e = Assert.Throws<CommandFailure>(() => NodeOptionParser.Parse(["--client-idle-timeout-ms", "0"]));
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("--client-idle-timeout-ms must be a whole number of at least 1", e.Message);
    }
}
