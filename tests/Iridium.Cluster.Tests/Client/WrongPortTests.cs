using System.Net;
using System.Net.Sockets;
using Iridium.Cluster.Client;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Client;

/// <summary>A client pointed at the other protocol's port says which port it is.</summary>
public sealed class WrongPortTests
{
    /// <summary>What a remote REPL sends the moment it accepts: its greeting (protocol 2), or its challenge (protocol 1).</summary>
    private static async Task<(TcpListener Listener, Task Serving)> FakeRemoteReplAsync(string greeting)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(greeting + "\n"));
            // Wait for the caller to hang up, as a server waiting for a login answer would.
            try { await stream.ReadAsync(new byte[4096]).AsTask().WaitAsync(TimeSpan.FromSeconds(30)); } catch (Exception e) when (e is IOException or TimeoutException) { }
        });
        await Task.Yield();
        return (listener, serving);
    }

    [Theory]
    [InlineData("iridium-auth v1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("iridium-remote v2 Noise_NNpsk0 (encrypted; connect with iridium remote of release 2 or later)")]
    public async Task AClusterCommand_AtARemoteReplPort_SaysSo(string greeting)
    {
        var (listener, serving) = await FakeRemoteReplAsync(greeting);
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        try
        {
            var e = await Assert.ThrowsAsync<ClusterClientException>(() =>
                ClusterClient.ConnectAsync("127.0.0.1", port, TestCluster.Cookie, TimeSpan.FromSeconds(10)));
            Assert.Equal($"127.0.0.1:{port} is a remote REPL port, not a cluster port (try 'iridium remote 127.0.0.1:{port}')", e.Message);
            Assert.False(e.AuthenticationFailed);
        }
        finally
        {
            listener.Stop();
            await serving.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task TheProbe_RecognisesANode_WithoutItsCookie()
    {
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("n1"));
        Assert.True(await PortProbe.IsClusterPortAsync("127.0.0.1", node.AdvertisedPort, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task TheProbe_SaysNo_ToARemoteRepl()
    {
        var (listener, serving) = await FakeRemoteReplAsync("iridium-remote v2 Noise_NNpsk0");
        try
        {
            Assert.False(await PortProbe.IsClusterPortAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            listener.Stop();
            await serving.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task TheProbe_SaysNo_WhenNothingListens()
        => Assert.False(await PortProbe.IsClusterPortAsync("127.0.0.1", Ports.Free(), TimeSpan.FromSeconds(10)));
}
