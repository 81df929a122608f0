using System.Text;
using Iridium.Cluster.Client;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Exec;

/// <summary>An exec is the root of a process group on the node's one runtime: it ends with the group, and stopping it stops the group.</summary>
public class ExecGroupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>The root prints and halts at once; the child it spawned counts for a while, then prints.</summary>
    private const string ChildOutlivesRoot = """
        .data
        root:   .asciiz 'root'
        child:  .asciiz 'child'
        .code
                load $1 @late
                load $2 #0
                load $3 #-1
                spawn $1 $2 $3
                prts @root
                load $4 #10
                prtc $4
                hlt
        late:   load $0 #0
                load $1 #200000
        top:    inc $0
                lt $0 $1
                djmpe @top
                prts @child
                load $4 #10
                prtc $4
                hlt
        """;

    /// <summary>The root and its child both wait for a message that never comes.</summary>
    private const string BothWaitForEver = """
        .data
        msg:    .asciiz 'waiting'
        .code
                load $1 @wait
                load $2 #0
                load $3 #-1
                spawn $1 $2 $3
                prts @msg
                load $4 #10
                prtc $4
        wait:   load $7 #-1
                load $8 #0
                recv $9 $7 $8
                hlt
        """;

    private static ExecSpec Spec(string source)
    {
        var result = Iridium.Assembler.Assembler.Assemble(source, "group.iasm");
        Assert.True(result.Success, result.RenderErrors());
        return new ExecSpec("group.iasm", result.Image!, null, false);
    }

    private static async Task<(TestCluster Cluster, ClusterNode Node, ClusterClient Client)> NodeAsync()
    {
        var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("a"));
        var client = await ClusterClient.ConnectAsync("127.0.0.1", node.AdvertisedPort, TestCluster.Cookie, Wait);
        return (cluster, node, client);
    }

    [Fact]
    public async Task TheExecEndsWhenItsWholeGroupHasEndedWithTheRootsStatus()
    {
        var (cluster, node, client) = await NodeAsync();
        await using var _c = cluster;
        await using var _cl = client;
        var output = new StringBuilder();
        var result = Assert.Single(await client.ExecAsync(["a"], Spec(ChildOutlivesRoot), (_, _, bytes) => output.Append(Encoding.UTF8.GetString(bytes)), CancellationToken.None).WaitAsync(Wait));

        Assert.Equal((ExecEnd.Stopped, 0), (result.End, result.Code));
        // The child's line came after the root had halted: the exec waited for it.
        Assert.Equal("root\nchild\n", output.ToString());
        Assert.Equal(0, node.Processes.Count);
    }

    [Fact]
    public async Task InterruptingAnExecStopsEveryMemberOfItsGroup()
    {
        var (cluster, node, client) = await NodeAsync();
        await using var _c = cluster;
        await using var _cl = client;
        using var interrupt = new CancellationTokenSource();
        var run = client.ExecAsync(["a"], Spec(BothWaitForEver), (_, _, _) => { }, interrupt.Token);
        await Eventually.True(() => node.Processes.Count == 2 && node.Processes.List().All(p => p.State == Iridium.Vm.ProcessRunState.Waiting), Wait, "root and child wait");

        await interrupt.CancelAsync();
        Assert.Equal(ExecEnd.Interrupted, Assert.Single(await run.WaitAsync(Wait)).End);
        await Eventually.True(() => node.Processes.Count == 0, Wait, "both processes ended");
    }

    [Fact]
    public async Task AClientThatGoesAwayStopsItsWholeGroup()
    {
        var (cluster, node, client) = await NodeAsync();
        await using var _c = cluster;
        _ = client.ExecAsync(["a"], Spec(BothWaitForEver), (_, _, _) => { }, CancellationToken.None);
        await Eventually.True(() => node.Processes.Count == 2, Wait, "root and child run");

        await client.DisposeAsync();
        await Eventually.True(() => node.Processes.Count == 0, Wait, "both processes ended");
    }

    [Fact]
    public async Task AWaitingGroupsPartialOutputArrivesWithoutItsEnd()
    {
        var (cluster, node, client) = await NodeAsync();
        await using var _c = cluster;
        await using var _cl = client;
        var arrived = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var interrupt = new CancellationTokenSource();
        var run = client.ExecAsync(["a"], Spec(BothWaitForEver), (_, _, bytes) => arrived.TrySetResult(Encoding.UTF8.GetString(bytes)), interrupt.Token);
        // A whole line printed, then nobody runs: the idle flush ships it.
        Assert.Equal("waiting\n", await arrived.Task.WaitAsync(Wait));
        await interrupt.CancelAsync();
        await run.WaitAsync(Wait);
    }
}
