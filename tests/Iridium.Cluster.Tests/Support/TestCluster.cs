using System.Text;

namespace Iridium.Cluster.Tests.Support;

/// <summary>Nodes on 127.0.0.1, port 0, with short timeouts; disposes (leaves) them all.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    public static readonly byte[] Cookie = Encoding.UTF8.GetBytes("test-cookie");

    public List<ClusterNode> Nodes { get; } = [];

    public TestLog Log { get; } = new();

    public static ClusterOptions Options(string alias, byte[]? cookie = null, int heartbeatMs = 100, int timeoutMs = 600) => new()
    {
        Alias = alias,
        BindHost = "127.0.0.1",
        BindPort = 0,
        Cookie = cookie ?? Cookie,
        HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeatMs),
        FailureTimeout = TimeSpan.FromMilliseconds(timeoutMs),
        HandshakeTimeout = TimeSpan.FromSeconds(2),
        MaxFrameBytes = 1 << 20,
    };

    public async Task<ClusterNode> StartAsync(ClusterOptions options, TestLog? log = null)
    {
        var node = new ClusterNode(options, log ?? Log);
        Nodes.Add(node);
        await node.StartAsync();
        return node;
    }

    public static string Seed(ClusterNode node) => $"127.0.0.1:{node.AdvertisedPort}";

    /// <summary>True when every running node lists exactly <paramref name="count"/> members.</summary>
    public static bool Complete(IEnumerable<ClusterNode> nodes, int count) => nodes.All(n => n.Members.Count == count);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}
