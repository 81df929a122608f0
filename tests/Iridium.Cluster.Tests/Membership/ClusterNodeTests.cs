using System.Diagnostics;
using System.Text;
using Iridium.Cluster.Client;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Seeds;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Membership;

/// <summary>Several nodes in this process on 127.0.0.1 port 0, with short heartbeat and failure timeouts.</summary>
public class ClusterNodeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ThreeNodesJoiningOneSeedFormAFullMesh()
    {
        await using var cluster = new TestCluster();
        var first = await cluster.StartAsync(TestCluster.Options("n1"));
        var second = await cluster.StartAsync(TestCluster.Options("n2"));
        var third = await cluster.StartAsync(TestCluster.Options("n3"));

        Assert.True((await second.JoinAsync("127.0.0.1", first.AdvertisedPort)).Success);
        var joined = await third.JoinAsync("127.0.0.1", first.AdvertisedPort);
        Assert.True(joined.Success, joined.Message);

        await Eventually.True(() => TestCluster.Complete(cluster.Nodes, 3), Wait, "full mesh of 3");
        var view = second.Members;
        Assert.Equal(["n1", "n2", "n3"], view.Select(m => m.Alias));
        Assert.Equal(MemberStatus.Self, view[1].Status);
        Assert.All(view.Where(m => m.Alias != "n2"), m => Assert.Equal(MemberStatus.Up, m.Status));
        // The advertised port, not an ephemeral source port.
        Assert.Equal(third.AdvertisedPort, view.Single(m => m.Alias == "n3").Port);
        Assert.Equal("127.0.0.1", view.Single(m => m.Alias == "n3").Host);
        // A line is written after the state it reports changes: waited for, as the state was.
        await Eventually.True(() => cluster.Log.Contains($"node up: n3 {third.NodeId} 127.0.0.1:{third.AdvertisedPort}"), Wait, "n3 logged up");
    }

    [Fact]
    public async Task SixteenNodesStartedAtOnceEachSeededWithAnEarlierOneConverge()
    {
        await using var cluster = new TestCluster();
        var ports = Enumerable.Range(0, 16).Select(_ => FreePort()).ToArray();
        var random = new Random(16);
        var nodes = new List<ClusterNode>();
        for (int i = 0; i < 16; i++)
        {
            var options = TestCluster.Options($"c{i:00}");
            options.BindPort = ports[i];
            if (i > 0) options.Seeds.Add($"127.0.0.1:{ports[random.Next(i)]}");
            var node = new ClusterNode(options, cluster.Log);
            cluster.Nodes.Add(node);
            nodes.Add(node);
        }
        // All at once, in reverse so most seeds are not listening yet when first dialed.
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Reverse(nodes).Select(n => Task.Run(() => n.StartAsync())));
        await Eventually.True(() => TestCluster.Complete(nodes, 16), Wait, "16 nodes see each other");
        Assert.True(started.Elapsed < Wait);
        Assert.All(nodes, n => Assert.Equal(15, n.Members.Count(m => m.Status == MemberStatus.Up)));
    }

    [Fact]
    public async Task ASecondNodeWithALiveAliasIsRefusedWithAClearError()
    {
        await using var cluster = new TestCluster();
        var first = await cluster.StartAsync(TestCluster.Options("same"));
        var other = await cluster.StartAsync(TestCluster.Options("other"));
        Assert.True((await other.JoinAsync("127.0.0.1", first.AdvertisedPort)).Success);
        var impostor = await cluster.StartAsync(TestCluster.Options("other"));

        var result = await impostor.JoinAsync("127.0.0.1", first.AdvertisedPort);
        Assert.False(result.Success);
        Assert.Contains("alias 'other' is already used", result.Message);
        Assert.Equal(2, first.Members.Count);
    }

    [Fact]
    public async Task ANodeNeverRecordsItself()
    {
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("me"));
        var result = await node.JoinAsync("127.0.0.1", node.AdvertisedPort);
        Assert.False(result.Success);
        Assert.Single(node.Members);
    }

    [Fact]
    public async Task AWrongCookieNodeIsNotRecordedAnywhere()
    {
        await using var cluster = new TestCluster();
        var first = await cluster.StartAsync(TestCluster.Options("good"));
        var intruder = await cluster.StartAsync(TestCluster.Options("intruder", cookie: "nope"u8.ToArray()));
        var result = await intruder.JoinAsync("127.0.0.1", first.AdvertisedPort);
        Assert.False(result.Success);
        Assert.Contains("authentication failed", result.Message);
        Assert.Single(first.Members);
        Assert.Single(intruder.Members);
        await Eventually.True(() => cluster.Log.Contains("refused connection from 127.0.0.1"), Wait, "the acceptor logs why");
    }

    [Fact]
    public async Task LeavingDropsTheNodeAtOnce()
    {
        await using var cluster = new TestCluster();
        var stay = await cluster.StartAsync(TestCluster.Options("stay", heartbeatMs: 1000, timeoutMs: 30_000));
        var go = await cluster.StartAsync(TestCluster.Options("go", heartbeatMs: 1000, timeoutMs: 30_000));
        Assert.True((await go.JoinAsync("127.0.0.1", stay.AdvertisedPort)).Success);
        await Eventually.True(() => stay.Members.Count == 2, Wait, "joined");

        var clock = Stopwatch.StartNew();
        await go.LeaveAsync();
        await Eventually.True(() => TestCluster.Live(stay) == 1, Wait, "dropped after Leave");
        // Far below the 30 s failure timeout: the Leave did it (speed is measured in tools/bench).
        Assert.True(clock.ElapsedMilliseconds < 5000, $"{clock.ElapsedMilliseconds} ms");
        await Eventually.True(() => cluster.Log.Contains("node down: go (left: shutdown)"), Wait, "go logged down");
        var gone = TestCluster.Member(stay, "go")!;
        Assert.Equal(MemberStatus.Down, gone.Status);
        Assert.Equal(DownReason.Left, gone.Reason);
        Assert.NotNull(gone.DownSinceMs);
    }

    [Fact]
    public async Task AClosedConnectionMarksThePeerDownQuickly()
    {
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("watcher", heartbeatMs: 1000, timeoutMs: 30_000));
        var (connection, _) = await RawPeerAsync(node, "victim");
        await Eventually.True(() => node.Members.Count == 2, Wait, "victim recorded");

        var clock = Stopwatch.StartNew();
        connection.Close(CloseReason.Done, "killed"); // as the kernel does for a killed process
        await Eventually.True(() => TestCluster.Live(node) == 1, Wait, "victim down");
        // Far below the 30 s failure timeout: the closed socket did it (speed is measured in tools/bench).
        Assert.True(clock.ElapsedMilliseconds < 5000, $"{clock.ElapsedMilliseconds} ms");
        await Eventually.True(() => cluster.Log.Contains("node down: victim ("), Wait, "victim logged down");
        Assert.Equal(DownReason.ConnectionLost, TestCluster.Member(node, "victim")!.Reason);
    }

    [Fact]
    public async Task ASilentPeerIsMarkedDownAfterTheFailureTimeout()
    {
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("watcher", heartbeatMs: 50, timeoutMs: 300));
        var (connection, _) = await RawPeerAsync(node, "frozen");
        var clock = Stopwatch.StartNew();
        await Eventually.True(() => node.Members.Count == 2, Wait, "frozen recorded");
        // It never sends a heartbeat (its socket stays open, like a SIGSTOPped process).
        await Eventually.True(() => TestCluster.Live(node) == 1, Wait, "frozen down");
        // The upper bound only rules out "never" on a busy machine. "Not before the timeout" is
        // read from the silence the node itself measured (a wall clock started by the test can
        // start late); PeerManagerTests checks the exact moment with a fake clock.
        Assert.True(clock.ElapsedMilliseconds < 5000, $"{clock.ElapsedMilliseconds} ms");
        string line = Assert.Single(cluster.Log.Lines, l => l.Contains("node down: frozen (no heartbeat for", StringComparison.Ordinal));
        long silentMs = long.Parse(System.Text.RegularExpressions.Regex.Match(line, @"no heartbeat for (\d+) ms").Groups[1].Value);
        Assert.True(silentMs > 300, $"marked down after {silentMs} ms of silence, before the 300 ms timeout");
        Assert.Equal(DownReason.NoHeartbeat, TestCluster.Member(node, "frozen")!.Reason);
        connection.Close(CloseReason.Done, "done");
    }

    [Fact]
    public async Task HeartbeatsKeepAQuietMeshAlive()
    {
        // On a clock moved by the test, 100 ms at a time: each step must bring each node a
        // heartbeat from the other, so over three failure timeouts neither is ever silent for
        // longer than a step, however slowly a loaded machine delivers them in real time.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a", heartbeatMs: 100, timeoutMs: 800), time: time);
        var b = await cluster.StartAsync(TestCluster.Options("b", heartbeatMs: 100, timeoutMs: 800), time: time);
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b], 2), Wait, "mesh");
        for (int step = 0; step < 24; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            long now = Timing.Clock.NowMs(time);
            await Eventually.True(() => a.Peers.Find(b.NodeId)?.LastSeenMs == now && b.Peers.Find(a.NodeId)?.LastSeenMs == now, Wait, $"heartbeats of step {step}");
        }
        Assert.True(TestCluster.Complete([a, b], 2));
        Assert.False(cluster.Log.Contains("node down"), string.Join("\n", cluster.Log.Lines));
    }

    [Fact]
    public async Task ANodeAmongItsOwnSeedsJoinsThroughTheOthersWithoutAWarning()
    {
        // A shared seed list (a Kubernetes headless Service, one config file for every host) names
        // each node too: its dial to itself is refused, and that is routine, not a warning.
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        int port = FreePort();
        var options = TestCluster.Options("b");
        options.BindPort = port;
        options.Seeds.Add($"127.0.0.1:{port}"); // itself first: every round dials it
        options.Seeds.Add(TestCluster.Seed(a));
        var b = await cluster.StartAsync(options);

        await Eventually.True(() => TestCluster.Complete([a, b], 2), Wait, "b joined a");
        // The accepting side logs its refusal after sending it, so b may have joined a first.
        await Eventually.True(() => cluster.Log.Contains("refused our own dial"), Wait, "b's own dial refused: " + string.Join("\n", cluster.Log.Lines));
        Assert.DoesNotContain(cluster.Log.Lines, line => line.StartsWith("Warning:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANodeRetriesItsSeedUntilItAnswersAndRejoinsWhenAllPeersAreLost()
    {
        await using var cluster = new TestCluster();
        int port = FreePort();
        // A failure timeout a loaded machine cannot reach: what goes down here goes down by Leave.
        static ClusterOptions Options(string alias) => TestCluster.Options(alias, heartbeatMs: 100, timeoutMs: 3000);
        var lateOptions = Options("late-seed");
        lateOptions.BindPort = port;
        var joinerOptions = Options("joiner");
        joinerOptions.Seeds.Add($"127.0.0.1:{port}");
        var joiner = await cluster.StartAsync(joinerOptions);
        await Task.Delay(300); // a few failed rounds of backoff
        var seed = await cluster.StartAsync(lateOptions);
        await Eventually.True(() => TestCluster.Live(joiner) == 2, Wait, "joined once the seed came up");

        await seed.LeaveAsync();
        await Eventually.True(() => TestCluster.Live(joiner) == 1, Wait, "seed gone");
        Assert.True(TestCluster.Member(joiner, "late-seed")!.Reason == DownReason.Left, string.Join("\n", cluster.Log.Lines));
        // No live peer: it is trying its seed again.
        await Eventually.True(() => joiner.SeedState is RejoinState.Joining or RejoinState.BackingOff, Wait, "rejoining");

        // The only seed comes back: a new process (new node id) with the same alias and port.
        var againOptions = Options("late-seed");
        againOptions.BindPort = port;
        var again = await cluster.StartAsync(againOptions);
        await Eventually.True(() => TestCluster.Live(joiner) == 2 && TestCluster.Live(again) == 2, Wait, "rejoined through the seed");
        // Its down entry gave way to it: one late-seed, up, with the new id.
        var listed = Assert.Single(joiner.Members, m => m.Alias == "late-seed");
        Assert.Equal((MemberStatus.Up, again.NodeId), (listed.Status, listed.NodeId));
        Assert.Equal(RejoinState.Joined, joiner.SeedState);
    }

    [Fact]
    public async Task PortSearchTakesTheNextFreePortAndAdvertisesIt()
    {
        await using var cluster = new TestCluster();
        int port = FreePort();
        var firstOptions = TestCluster.Options("p1");
        firstOptions.BindPort = port;
        var first = await cluster.StartAsync(firstOptions);
        var secondOptions = TestCluster.Options("p2");
        secondOptions.BindPort = port;
        secondOptions.PortSearch = 5;
        var second = await cluster.StartAsync(secondOptions);
        Assert.NotEqual(port, second.AdvertisedPort);
        Assert.InRange(second.AdvertisedPort, port + 1, port + 5);
        Assert.True((await second.JoinAsync("127.0.0.1", first.AdvertisedPort)).Success);
        await Eventually.True(() => first.Members.Any(m => m.Alias == "p2" && m.Port == second.AdvertisedPort), Wait, "p2 at its searched port");
    }

    [Fact]
    public async Task BindingAnyAddressAdvertisesTheAddressPeersConnectedTo()
    {
        await using var cluster = new TestCluster();
        var anyOptions = TestCluster.Options("any");
        anyOptions.BindHost = "0.0.0.0";
        var any = await cluster.StartAsync(anyOptions);
        var other = await cluster.StartAsync(TestCluster.Options("other"));
        Assert.True((await other.JoinAsync("127.0.0.1", any.AdvertisedPort)).Success);
        Assert.Equal("127.0.0.1", other.Members.Single(m => m.Alias == "any").Host);
        var view = await QueryMembersAsync(any.AdvertisedPort, TestCluster.Cookie);
        Assert.Equal("127.0.0.1", view.Single(m => m.Status == MemberStatus.Self).Host);
    }

    [Fact]
    public async Task TheMembersClientIsAnsweredButNeverRecorded()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        var b = await cluster.StartAsync(TestCluster.Options("b"));
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);

        var view = await QueryMembersAsync(a.AdvertisedPort, TestCluster.Cookie);
        Assert.Equal(["a", "b"], view.Select(m => m.Alias));
        Assert.Equal([MemberStatus.Self, MemberStatus.Up], view.Select(m => m.Status));
        Assert.Equal(2, a.Members.Count);

        var e = await Assert.ThrowsAsync<ClusterClientException>(() => QueryMembersAsync(a.AdvertisedPort, "bad"u8.ToArray()));
        Assert.Contains("authentication", e.Message);
        Assert.True(e.AuthenticationFailed);
        var unreachable = await Assert.ThrowsAsync<ClusterClientException>(() => QueryMembersAsync(FreePort(), TestCluster.Cookie));
        Assert.False(unreachable.AuthenticationFailed);
    }

    [Fact]
    public async Task AClientPingIsAnsweredWithAndWithoutAPayload()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", a.AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(10));
        Assert.Equal("a", client.NodeAlias);
        Assert.True(await client.PingAsync(1, payloadBytes: 0) > TimeSpan.Zero);
        Assert.True(await client.PingAsync(2, payloadBytes: 60_000) > TimeSpan.Zero);
        Assert.Single(a.Members); // a client is never a member
    }

    private static async Task<IReadOnlyList<MemberInfo>> QueryMembersAsync(int port, byte[] cookie)
    {
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", port, cookie, TimeSpan.FromSeconds(5));
        return await client.MembersAsync();
    }

    [Fact]
    public async Task ApplicationDataAndPingsFlowBetweenPeers()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        var b = await cluster.StartAsync(TestCluster.Options("b"));
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => a.Members.Count == 2, Wait, "mesh");
        int data = 0, pongs = 0;
        a.MessageReceived += (_, m) => { if (m is Data) Interlocked.Increment(ref data); };
        b.MessageReceived += (_, m) => { if (m is Pong) Interlocked.Increment(ref pongs); };
        for (int i = 0; i < 1000; i++) Assert.True(await b.SendAsync(a.NodeId, new Data { Body = [1, 2, 3] }));
        Assert.True(b.TrySend(a.NodeId, new Ping { Sequence = 1 }));
        await Eventually.True(() => data == 1000 && pongs == 1, Wait, "data and pong");
    }

    private static int FreePort() => Ports.Free();

    private static async Task<(ClusterConnection Connection, DialOutcome Outcome)> RawPeerAsync(ClusterNode node, string alias)
    {
        var raw = await RawPeer.ConnectAsync(node, alias);
        Assert.True(raw.Outcome.Success, raw.Outcome.Message);
        return raw;
    }
}
