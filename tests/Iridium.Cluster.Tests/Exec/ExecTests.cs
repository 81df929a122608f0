using Iridium.Cluster.Client;
using Iridium.Cluster.Exec;
using Iridium.Cluster.Tests.Support;
using Iridium.Vm;

namespace Iridium.Cluster.Tests.Exec;

/// <summary>`iridium exec`, `ps` and `kill` between nodes on loopback, through the client API the CLI uses.</summary>
public class ExecTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private const string Hello = ".data\nmsg: .asciiz 'hello'\n.code\nprts @msg\nhlt\n";
    private const string Illegal = ".data\n.code\nigl\n";
    private const string DivZero = ".data\n.code\nload $0 #1\nload $1 #0\ndiv $0 $1 $2\nhlt\n";
    private const string Forever = ".data\nmsg: .asciiz 'started'\n.code\nprts @msg\nload $0 #1\nload $1 #2\ntop: lt $0 $1\ndjmpe @top\n";

    /// <summary>Prints a 64-byte line <paramref name="lines"/> times, then halts.</summary>
    private static string Printer(int lines) =>
        ".data\nline: .asciiz '" + new string('x', 63) + "'\n.code\nload $0 #0\nload $1 #" + lines + "\nload $3 #10\n" +
        "top: prts @line\nprtc $3\ninc $0\nlt $0 $1\ndjmpe @top\nhlt\n";

    /// <summary>Prints the numbers 0 to <paramref name="lines"/> - 1, one a line, then halts.</summary>
    private static string Numbered(int lines) =>
        ".data\n.code\nload $0 #0\nload $1 #" + lines + "\nload $3 #10\ntop: prti $0\nprtc $3\ninc $0\nlt $0 $1\ndjmpe @top\nhlt\n";

    private static ExecSpec Spec(string source, long? maxSteps = null, bool state = false)
    {
        var result = Iridium.Assembler.Assembler.Assemble(source, "test.iasm");
        Assert.True(result.Success, result.RenderErrors());
        return new ExecSpec("test.iasm", result.Image!, maxSteps, state);
    }

    private static async Task<(TestCluster Cluster, ClusterNode[] Nodes)> MeshAsync(int count, Action<ClusterOptions>? configure = null)
    {
        var cluster = new TestCluster();
        var nodes = new ClusterNode[count];
        for (int i = 0; i < count; i++)
        {
            var options = TestCluster.Options(((char)('a' + i)).ToString());
            configure?.Invoke(options);
            nodes[i] = await cluster.StartAsync(options);
            if (i > 0) Assert.True((await nodes[i].JoinAsync("127.0.0.1", nodes[0].AdvertisedPort)).Success);
        }
        await Eventually.True(() => TestCluster.Complete(nodes, count), Wait, $"full mesh of {count}");
        // Every node has heard every other one announce exec.
        await Eventually.True(() => nodes.All(n => nodes.All(p => p == n || n.Exec.Understands(p.NodeId))), Wait, "exec announced");
        return (cluster, nodes);
    }

    private static Task<ClusterClient> ClientOf(ClusterNode node)
        => ClusterClient.ConnectAsync("127.0.0.1", node.AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task ATargetMayBeNamedByNodeIdAsWellAsByAlias()
    {
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        await using var client = await ClientOf(nodes[0]);
        var output = new List<byte>();
        var result = Assert.Single(await client.ExecAsync([nodes[1].NodeId.ToString()], Spec(Hello), (_, _, bytes) => output.AddRange(bytes.ToArray()), CancellationToken.None));
        Assert.Equal((ExecEnd.Stopped, "b"), (result.End, result.Alias));
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(output.ToArray()));
    }

    [Theory]
    [InlineData(Hello, ExecEnd.Stopped, 0)]
    [InlineData(Illegal, ExecEnd.Stopped, 1)]
    [InlineData(DivZero, ExecEnd.Crashed, 4)]
    public async Task ARemoteProgramEndsAsItWouldLocally(string source, ExecEnd end, int code)
    {
        var (cluster, _) = await MeshAsync(2);
        await using var _c = cluster;
        await using var client = await ClientOf(cluster.Nodes[0]);
        var output = new List<byte>();
        var results = await client.ExecAsync(["b"], Spec(source, state: true), (_, _, bytes) => output.AddRange(bytes.ToArray()), CancellationToken.None);
        var result = Assert.Single(results);
        Assert.Equal((end, code, "b"), (result.End, result.Code, result.Alias));
        Assert.StartsWith("b.", result.ProcessId);
        Assert.Contains("\"event\":{\"kind\":\"" + (end == ExecEnd.Crashed ? "Crash" : "GracefulStop") + "\"", System.Text.Encoding.UTF8.GetString(result.StateJson!));
        if (source == Hello) Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(output.ToArray()));
        if (end == ExecEnd.Crashed) Assert.StartsWith("fault DIVZERO at pc=", result.Message);
    }

    [Fact]
    public async Task OutputArrivesWhileTheProgramRunsAndPsAndKillReachIt()
    {
        var (cluster, nodes) = await MeshAsync(3);
        await using var _c = cluster;
        await using var client = await ClientOf(nodes[0]);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = client.ExecAsync(["c"], Spec(Forever), (_, _, _) => started.TrySetResult(), CancellationToken.None);
        await started.Task.WaitAsync(Wait);

        await using var other = await ClientOf(nodes[1]);
        var process = Assert.Single(await other.ProcessesAsync());
        // A program that loops is running, or queued between two of its slices (runnable): on a
        // loaded machine ps can find it in either.
        Assert.Equal(("c", "test.iasm"), (process.Alias, process.Program));
        Assert.Contains(process.State, new[] { "running", "runnable" });
        Assert.Contains("via a", process.Origin);

        var (found, _) = await other.KillAsync(process.Id);
        Assert.True(found);
        var result = Assert.Single(await run.WaitAsync(Wait));
        Assert.Equal(ExecEnd.Killed, result.End);
        await Eventually.True(() => nodes[2].Processes.Count == 0, Wait, "the killed process leaves the table");
        Assert.False((await other.KillAsync(process.Id)).Found);
    }

    [Fact]
    public async Task VmsAREPLSpawnsAreProcessesOfTheNode()
    {
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        int kills = 0;
        using var spawned = nodes[1].Registry.Register("spawned.iasm", "remote session", () => Interlocked.Increment(ref kills));
        Assert.Equal("b.1", spawned.Id);
        spawned.Running(new Iridium.Vm.Machine());

        await using var client = await ClientOf(nodes[0]);
        var listed = Assert.Single(await client.ProcessesAsync());
        Assert.Equal(("b.1", "b", "spawned.iasm", "running", "remote session"), (listed.Id, listed.Alias, listed.Program, listed.State, listed.Origin));
        Assert.True((await client.KillAsync("b.1")).Found);
        Assert.Equal(1, kills);

        spawned.Dispose();   // the scheduler's VM has ended
        Assert.Empty(await client.ProcessesAsync());
    }

    [Fact]
    public async Task AClientThatGoesAwayCancelsItsProcessWithinASecond()
    {
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        var client = await ClientOf(nodes[0]);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = client.ExecAsync(["b"], Spec(Forever), (_, _, _) => started.TrySetResult(), CancellationToken.None);
        await started.Task.WaitAsync(Wait);
        Assert.Equal(1, nodes[1].Processes.Count);

        await client.DisposeAsync();
        await Eventually.True(() => nodes[1].Processes.Count == 0, TimeSpan.FromSeconds(1), "the process on b is cancelled");
    }

    [Fact]
    public async Task InterruptingStopsTheRemoteProgram()
    {
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        await using var client = await ClientOf(nodes[0]);
        using var interrupt = new CancellationTokenSource();
        var run = client.ExecAsync(["b"], Spec(Forever), (_, _, _) => interrupt.Cancel(), interrupt.Token);
        Assert.Equal(ExecEnd.Interrupted, Assert.Single(await run.WaitAsync(Wait)).End);
        await Eventually.True(() => nodes[1].Processes.Count == 0, Wait, "the interrupted process leaves b's table");
    }

    [Fact]
    public async Task LosingTheTargetEndsTheRequestWithNodeLost()
    {
        var (cluster, nodes) = await MeshAsync(3);
        await using var _c = cluster;
        await using var client = await ClientOf(nodes[0]);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = client.ExecAsync(["c"], Spec(Forever), (_, _, _) => started.TrySetResult(), CancellationToken.None);
        await started.Task.WaitAsync(Wait);
        await nodes[2].DisposeAsync();
        var result = Assert.Single(await run.WaitAsync(Wait));
        Assert.Equal(ExecEnd.NodeLost, result.End);
        Assert.Contains("c", result.Message);
    }

    [Fact]
    public async Task AReaderThatDoesNotKeepUpHoldsTheProgramBack()
    {
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        await using var client = await ClientOf(nodes[0]);
        using var reading = new SemaphoreSlim(0);
        long received = 0;
        // 64 KiB lines x 4096 = 4 MiB of output; the reader takes one chunk, then stalls.
        var run = client.ExecAsync(["b"], Spec(Printer(65536)), (_, _, bytes) =>
        {
            Interlocked.Add(ref received, bytes.Length);
            reading.Wait();
        }, CancellationToken.None);
        await Eventually.True(() => Interlocked.Read(ref received) > 0, Wait, "the first chunk");
        var process = Assert.IsType<ExecProcess>(Assert.Single(nodes[1].Processes.List()).Group.Owner);
        // Stalled: the program has shipped no more than the window, and stays there.
        await Task.Delay(300);
        long shipped = process.Output!.Shipped;
        Assert.InRange(shipped, 1, ExecFraming.DefaultWindow);
        await Task.Delay(300);
        Assert.Equal(shipped, process.Output!.Shipped);

        reading.Release(int.MaxValue / 2);
        var result = Assert.Single(await run.WaitAsync(Wait));
        Assert.Equal(ExecEnd.Stopped, result.End);
        Assert.Equal(65536L * 64, Interlocked.Read(ref received));
    }

    [Fact]
    public async Task ManyNumberedLinesRelayedArriveWholeAndInOrder()
    {
        // 200,000 lines (1.3 MB) from b through a: every line once, in order, across both sealed hops.
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        await using var client = await ClientOf(nodes[0]);
        var output = new MemoryStream();
        var result = Assert.Single(await client.ExecAsync(["b"], Spec(Numbered(200_000)), (_, _, bytes) => output.Write(bytes), CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(ExecEnd.Stopped, result.End);
        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n');
        Assert.Equal(200_001, lines.Length);
        for (int i = 0; i < 200_000; i++) Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[i]);
        Assert.Equal("", lines[^1]);
    }

    [Fact]
    public async Task OutputRelayedThroughANodeWithTheSmallestFrameCapArrivesWhole()
    {
        // b cuts output as large as its own frames allow unless told otherwise; a may only take
        // the smallest frames, so it forwards b a window whose quarter fits them.
        await using var cluster = new TestCluster();
        var smallFrames = TestCluster.Options("a");
        smallFrames.MaxFrameBytes = ClusterOptions.MinFrameBytes;
        smallFrames.Exec.MaxImageBytes = ClusterOptions.MinFrameBytes - ExecFraming.RequestOverheadBytes;
        var a = await cluster.StartAsync(smallFrames);
        var bigFrames = TestCluster.Options("b");
        Assert.True(ExecFraming.ChunkFor(bigFrames.MaxFrameBytes) > ClusterOptions.MinFrameBytes, "b's own chunks would not fit a's frames");
        var b = await cluster.StartAsync(bigFrames);
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b], 2) && a.Exec.Understands(b.NodeId), Wait, "a and b meshed, b announced exec");

        await using var client = await ClientOf(a);
        long received = 0;
        var result = Assert.Single(await client.ExecAsync(["b"], Spec(Printer(16384)), (_, _, bytes) => received += bytes.Length, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal((ExecEnd.Stopped, 16384L * 64), (result.End, received));
        Assert.Equal(2, TestCluster.Live(a)); // no frame over a's cap closed the connection to b
    }

    [Fact]
    public async Task ABusyNodeRefusesWithAMessage()
    {
        var (cluster, nodes) = await MeshAsync(2, options => options.Processes = new ProcessLimits { MaxProcesses = 1 });
        await using var _c = cluster;
        await using var first = await ClientOf(nodes[0]);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = first.ExecAsync(["b"], Spec(Forever), (_, _, _) => started.TrySetResult(), CancellationToken.None);
        await started.Task.WaitAsync(Wait);

        await using var second = await ClientOf(nodes[0]);
        var refused = Assert.Single(await second.ExecAsync(["b"], Spec(Hello), (_, _, _) => { }, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal(ExecEnd.Refused, refused.End);
        Assert.Contains("busy", refused.Message);
    }

    [Fact]
    public async Task TheNodeStepCapBoundsWhatTheClientAsks()
    {
        var (cluster, nodes) = await MeshAsync(2, options => options.Exec.MaxSteps = 1000);
        await using var _c = cluster;
        await using var client = await ClientOf(nodes[0]);
        var result = Assert.Single(await client.ExecAsync(["b"], Spec(Forever, maxSteps: 1_000_000), (_, _, _) => { }, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal((ExecEnd.Crashed, 9, 1000L), (result.End, result.Code, result.Steps));
    }

    [Fact]
    public async Task AnyPicksTheLeastBusyMember()
    {
        var (cluster, nodes) = await MeshAsync(3);
        await using var _c = cluster;
        var clients = new List<ClusterClient>();
        foreach (string busy in new[] { "a", "b" })
        {
            // One exec at a time per client: each busy program gets its own.
            var client = await ClientOf(nodes[0]);
            clients.Add(client);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _ = client.ExecAsync([busy], Spec(Forever), (_, _, _) => started.TrySetResult(), CancellationToken.None);
            await started.Task.WaitAsync(Wait);
        }
        await using var asker = await ClientOf(nodes[0]);
        // a knows its own load at once and b's from b's next heartbeat.
        await Eventually.True(() => nodes[0].Exec.Load.Running == 1, Wait, "a runs one");
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        var result = Assert.Single(await asker.ExecAsync(["any"], Spec(Hello), (_, _, _) => { }, CancellationToken.None).WaitAsync(Wait));
        Assert.Equal("c", result.Alias);
        foreach (var client in clients) await client.DisposeAsync();
    }
}
