using System.Text;

namespace Iridium.Cluster.Tests.Support;

/// <summary>Nodes on 127.0.0.1, port 0, with short timeouts; disposes (leaves) them all.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    public static readonly byte[] Cookie = Encoding.UTF8.GetBytes("test-cookie");

    public List<ClusterNode> Nodes { get; } = [];

    public TestLog Log { get; } = new();

    /// <summary>
    /// Options for a test node. The default failure timeout is long enough that a loaded CI
    /// machine (several test assemblies on two cores) never takes a healthy peer down; tests about
    /// failure detection set their own.
    /// </summary>
    public static ClusterOptions Options(string alias, byte[]? cookie = null, int heartbeatMs = 100, int timeoutMs = 3000, int retentionMs = 60_000) => new()
    {
        Alias = alias,
        BindHost = "127.0.0.1",
        BindPort = 0,
        Cookie = cookie ?? Cookie,
        HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeatMs),
        FailureTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        // Generous: several test assemblies share two cores; admission tests set their own.
        HandshakeTimeout = TimeSpan.FromSeconds(5),
        MaxFrameBytes = 1 << 20,
        DownRetention = TimeSpan.FromMilliseconds(retentionMs),
    };

    public async Task<ClusterNode> StartAsync(ClusterOptions options, TestLog? log = null, TimeProvider? time = null)
    {
        var node = new ClusterNode(options, log ?? Log, time ?? TimeProvider.System);
        Nodes.Add(node);
        await node.StartAsync();
        return node;
    }

    public static string Seed(ClusterNode node) => $"127.0.0.1:{node.AdvertisedPort}";

    /// <summary>True when every running node lists exactly <paramref name="count"/> live members (itself included).</summary>
    public static bool Complete(IEnumerable<ClusterNode> nodes, int count) => nodes.All(n => Live(n) == count);

    /// <summary>Members the node lists as live: itself and its up peers (not the down ones it still shows).</summary>
    public static int Live(ClusterNode node) => node.Members.Count(m => m.Status != MemberStatus.Down);

    /// <summary>The member called <paramref name="alias"/> in the node's view, or null.</summary>
    public static MemberInfo? Member(ClusterNode node, string alias) => node.Members.FirstOrDefault(m => m.Alias == alias);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}
