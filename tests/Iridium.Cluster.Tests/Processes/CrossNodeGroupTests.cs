using System.Text;
using Iridium.Cluster.Client;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Processes;

/// <summary>
/// A group spread over three members of an in-process cluster on loopback: the root on a spawns
/// a child on b, which spawns a grandchild on c. The children belong to the root's group (ps
/// says so), the exec waits for them, and Ctrl-C of the exec, or its client going away, stops
/// the processes on all three nodes.
/// </summary>
public class CrossNodeGroupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Members are indexed by alias: a 0, b 1, c 2. The root spawns on b and waits for ever; the
    /// child on b spawns on c and waits for ever; the grandchild on c prints and, with R0 = 1,
    /// waits for ever, else halts.
    /// </summary>
    private const string SpreadOverThree = """
        .data
        up:     .asciiz 'grandchild on c'
        .code
                load $1 @child
                load $2 #1
                spawn $1 $0 $2
                load $19 @wait
                jmp $19
        child:  load $1 @grand
                load $2 #2
                spawn $1 $0 $2
                load $19 @wait
                jmp $19
        grand:  prts @up
                load $4 #10
                prtc $4
                load $5 #1
                eq $0 $5
                djmpe @wait
                hlt
        wait:   load $7 #-1
                load $8 #0
                recv $9 $7 $8
                hlt
        """;

    /// <summary>The same, but the root halts at once and the grandchild counts for a while before it prints and halts.</summary>
    private const string RootEndsFirst = """
        .data
        root:   .asciiz 'root'
        late:   .asciiz 'grandchild done'
        .code
                load $1 @child
                load $2 #1
                spawn $1 $0 $2
                prts @root
                load $4 #10
                prtc $4
                hlt
        child:  load $1 @grand
                load $2 #2
                spawn $1 $0 $2
                hlt
        grand:  load $0 #0
                load $1 #300000
        top:    inc $0
                lt $0 $1
                djmpe @top
                prts @late
                load $4 #10
                prtc $4
                hlt
        """;

    private static async Task<(ClusterNode A, ClusterNode B, ClusterNode C)> ThreeNodesAsync(TestCluster cluster)
    {
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        var b = await cluster.StartAsync(TestCluster.Options("b"));
        var c = await cluster.StartAsync(TestCluster.Options("c"));
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        Assert.True((await c.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b, c], 3), Wait, "mesh of three");
        return (a, b, c);
    }

    private static ExecSpec Spec(string source, int r0 = 0)
    {
        // R0 of the root is 0; the program passes its own R0 down, so a variant sets it first.
        string program = r0 == 0 ? source : source.Replace("        load $1 @child\n", $"        load $0 #{r0}\n        load $1 @child\n", StringComparison.Ordinal);
        return new ExecSpec("spread.iasm", CrossNodeTests.Assemble(program), null, false);
    }

    /// <summary>What ps lists once it lists <paramref name="count"/> processes: a node lists a member's once it has heard that member runs programs (its first load report).</summary>
    private static async Task<IReadOnlyList<ProcessInfo>> ListedAsync(ClusterClient client, int count)
    {
        var deadline = DateTime.UtcNow + Wait;
        IReadOnlyList<ProcessInfo> processes;
        while ((processes = await client.ProcessesAsync()).Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        return processes;
    }

    private static async Task<ClusterClient> ClientAsync(ClusterNode node)
        => await ClusterClient.ConnectAsync("127.0.0.1", node.AdvertisedPort, TestCluster.Cookie, Wait);

    [Fact]
    public async Task AnExecWaitsForItsGroupsPartsOnOtherMembers()
    {
        await using var cluster = new TestCluster();
        var (a, b, c) = await ThreeNodesAsync(cluster);
        await using var client = await ClientAsync(a);
        var output = new StringBuilder();
        var result = Assert.Single(await client.ExecAsync(["a"], Spec(RootEndsFirst), (_, _, bytes) =>
        {
            lock (output) output.Append(Encoding.UTF8.GetString(bytes));
        }, CancellationToken.None).WaitAsync(Wait));

        Assert.Equal((ExecEnd.Stopped, 0), (result.End, result.Code));
        // The grandchild's line came long after the root and the child had halted: the exec waited for it.
        lock (output) Assert.Equal("root\ngrandchild done\n", output.ToString());
        await Eventually.True(() => a.ProcessNetwork.Groups.PartsElsewhere == 0 && b.ProcessNetwork.Groups.PartsHere == 0 && c.ProcessNetwork.Groups.PartsHere == 0, Wait, "no part left open");
    }

    [Fact]
    public async Task PsShowsTheChildrenOnOtherMembersInTheRootsGroupWithTheirParents()
    {
        await using var cluster = new TestCluster();
        var (a, b, c) = await ThreeNodesAsync(cluster);
        await using var client = await ClientAsync(a);
        using var interrupt = new CancellationTokenSource();
        string? rootId = null;
        var exec = client.ExecAsync(["a"], Spec(SpreadOverThree, r0: 1), (_, _, _) => { }, interrupt.Token);
        await Eventually.True(() => c.Processes.Count == 1 && b.Processes.Count == 1, Wait, "the group spread over three nodes");

        await using var asker = await ClientAsync(b);
        var processes = await ListedAsync(asker, 3);
        var root = Assert.Single(processes, p => p.Alias == "a" && p.Group == p.Id);
        rootId = root.Id;
        var child = Assert.Single(processes, p => p.Alias == "b");
        var grandchild = Assert.Single(processes, p => p.Alias == "c");
        Assert.Equal((rootId, rootId), (child.Group, child.Parent));
        Assert.Equal((rootId, child.Id), (grandchild.Group, grandchild.Parent));
        Assert.Equal(("", "waiting"), (root.Parent, root.State));

        interrupt.Cancel();
        Assert.Equal(ExecEnd.Interrupted, Assert.Single(await exec.WaitAsync(Wait)).End);
    }

    [Fact]
    public async Task CtrlCOfAnExecStopsItsGroupOnAllThreeNodes()
    {
        await using var cluster = new TestCluster();
        var (a, b, c) = await ThreeNodesAsync(cluster);
        await using var client = await ClientAsync(a);
        using var interrupt = new CancellationTokenSource();
        var output = new StringBuilder();
        var exec = client.ExecAsync(["a"], Spec(SpreadOverThree, r0: 1), (_, _, bytes) =>
        {
            lock (output) output.Append(Encoding.UTF8.GetString(bytes));
        }, interrupt.Token);
        await Eventually.True(() => c.Processes.Count == 1 && b.Processes.Count == 1 && a.Processes.Count == 1, Wait, "the group spread over three nodes");
        await Eventually.True(() => { lock (output) return output.ToString() == "grandchild on c\n"; }, Wait, "the grandchild's line at the exec");

        interrupt.Cancel();
        var result = Assert.Single(await exec.WaitAsync(Wait));
        Assert.Equal(ExecEnd.Interrupted, result.End);
        await Eventually.True(() => a.Processes.Count == 0 && b.Processes.Count == 0 && c.Processes.Count == 0, Wait, "every process of the group stopped");
        await Eventually.True(() => a.ProcessNetwork.Groups.PartsElsewhere == 0 && b.ProcessNetwork.Groups.PartsHere + b.ProcessNetwork.Groups.PartsElsewhere == 0 && c.ProcessNetwork.Groups.PartsHere == 0, Wait, "no part left open");
    }

    [Fact]
    public async Task AClientThatGoesAwayStopsItsGroupOnAllThreeNodes()
    {
        await using var cluster = new TestCluster();
        var (a, b, c) = await ThreeNodesAsync(cluster);
        var client = await ClientAsync(a);
        var exec = client.ExecAsync(["a"], Spec(SpreadOverThree, r0: 1), (_, _, _) => { }, CancellationToken.None);
        await Eventually.True(() => c.Processes.Count == 1 && b.Processes.Count == 1 && a.Processes.Count == 1, Wait, "the group spread over three nodes");

        await client.DisposeAsync();
        await Eventually.True(() => a.Processes.Count == 0 && b.Processes.Count == 0 && c.Processes.Count == 0, Wait, "every process of the group stopped");
        _ = exec.ContinueWith(t => t.Exception, TaskScheduler.Default);
    }

    [Fact]
    public async Task KillingAPartsProcessGroupOnAnotherMemberStopsTheWholeGroup()
    {
        await using var cluster = new TestCluster();
        var (a, b, c) = await ThreeNodesAsync(cluster);
        await using var client = await ClientAsync(a);
        var exec = client.ExecAsync(["a"], Spec(SpreadOverThree, r0: 1), (_, _, _) => { }, CancellationToken.None);
        await Eventually.True(() => c.Processes.Count == 1 && b.Processes.Count == 1 && a.Processes.Count == 1, Wait, "the group spread over three nodes");

        // kill --group of the grandchild on c, asked of b: the group stops on a, b and c, and the exec says killed.
        await using var killer = await ClientAsync(b);
        var grandchild = Assert.Single(await ListedAsync(killer, 3), p => p.Alias == "c");
        var (found, message) = await killer.KillGroupAsync(grandchild.Id);
        Assert.True(found, message);
        var result = Assert.Single(await exec.WaitAsync(Wait));
        Assert.Equal(ExecEnd.Killed, result.End);
        await Eventually.True(() => a.Processes.Count == 0 && b.Processes.Count == 0 && c.Processes.Count == 0, Wait, "every process of the group stopped");
    }

    [Fact]
    public async Task AGroupsPartOnAMemberThatIsLostCountsAsEnded()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a", timeoutMs: 1500));
        var b = await cluster.StartAsync(TestCluster.Options("b", timeoutMs: 1500));
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b], 2), Wait, "mesh of two");
        // The root halts at once; its child on b waits for ever.
        const string Program = """
                    load $1 @child
                    load $2 #1
                    spawn $1 $0 $2
                    hlt
            child:  load $7 #-1
                    load $8 #0
                    recv $9 $7 $8
                    hlt
            """;
        var (root, _) = CrossNodeTests.Start(a, Program);
        await Eventually.True(() => b.Processes.Count == 1 && a.Processes.Count == 0, Wait, "the child running on b, the root ended");
        Assert.False(root.Group.HasEnded);

        await b.DisposeAsync();
        Assert.True(await Task.Run(() => root.Group.WaitForEnd(Wait)), "the group did not end when b was lost");
    }
}
