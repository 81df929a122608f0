using System.Text;
using Iridium.Cluster.Tests.Support;
using Iridium.Vm;

namespace Iridium.Cluster.Tests.Processes;

/// <summary>
/// Processes on different members of an in-process cluster on loopback: SPAWN on another member
/// (the image sent once, then only its hash), ordered SEND/RECV between members, output of a
/// remote child in its parent's group, MONITOR across members with reason 4 when the node is lost,
/// and WHERE NAME@ALIAS. Each program runs as a scheduled root on one node's runtime.
/// </summary>
public class CrossNodeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>$6 = the index of the other member of a two-node cluster (1 - this node's index).</summary>
    private const string OtherMember = """
                nodes $20 $21
                load $22 #1
                sub $22 $21 $6
        """;

    internal static byte[] Assemble(string source)
    {
        var result = Iridium.Assembler.Assembler.Assemble(source, "test.iasm");
        Assert.True(result.Image is not null, result.RenderErrors());
        return result.Image!;
    }

    /// <summary>Runs <paramref name="source"/> as the root of a group on <paramref name="node"/>; returns what the group printed once it has ended.</summary>
    internal static async Task<string> RunAsync(ClusterNode node, string source)
    {
        var (process, output) = Start(node, source);
        Assert.True(await Task.Run(() => process.Group.WaitForEnd(Wait)), "the group did not end");
        lock (output) return Encoding.UTF8.GetString(output.ToArray());
    }

    internal static (Process Process, MemoryStream Output) Start(ClusterNode node, string source)
    {
        var output = new MemoryStream();
        var machine = new Machine(alias: node.Alias) { Runtime = node.Processes };
        machine.LoadImage(Assemble(source));
        var process = node.Processes.Start(machine, output);
        Assert.NotNull(process);
        return (process!, output);
    }

    internal static async Task<(ClusterNode A, ClusterNode B)> TwoNodesAsync(TestCluster cluster, int timeoutMs = 3000)
    {
        var a = await cluster.StartAsync(TestCluster.Options("a", timeoutMs: timeoutMs));
        var b = await cluster.StartAsync(TestCluster.Options("b", timeoutMs: timeoutMs));
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b], 2), Wait, "mesh of two");
        return (a, b);
    }

    [Fact]
    public async Task NodesCountsTheMembersAndIndexesThemByAlias()
    {
        await using var cluster = new TestCluster();
        var (a, b) = await TwoNodesAsync(cluster);
        const string Program = """
                    nodes $1 $2
                    prti $1
                    prti $2
                    hlt
            """;
        Assert.Equal("20", await RunAsync(a, Program));
        Assert.Equal("21", await RunAsync(b, Program));
    }

    [Fact]
    public async Task AChildSpawnedOnAnotherMemberAnswersAndPrintsToItsParentsGroup()
    {
        await using var cluster = new TestCluster();
        var (a, b) = await TwoNodesAsync(cluster);
        string program = $$"""
            .data
            ping:   .asciiz 'ping'
            pong:   .asciiz 'pong'
            hi:     .asciiz 'child on the other node got '
            no:     .asciiz 'refused'
            .code
            {{OtherMember}}
                    load $1 @ping
                    load $2 #0
                    strh $2 $1 $3
                    load $4 @child
                    load $5 #0
                    spawn $4 $5 $6
                    djmpe @started
                    prts @no
                    hlt
            started: send $6 $2 $3
                    load $7 #-1
                    load $8 #16
                    recv $9 $7 $8
                    prth $8 $7
                    load $10 #10
                    prtc $10
                    hlt
            child:  load $7 #-1
                    load $8 #0
                    recv $9 $7 $8
                    prts @hi
                    prth $8 $7
                    load $10 #10
                    prtc $10
                    load $1 @pong
                    strh $8 $1 $3
                    send $9 $8 $3
                    hlt
            """;
        Assert.Equal("child on the other node got ping\npong\n", await RunAsync(a, program));
        Assert.Equal(1, a.ProcessNetwork.ImagesSent);
        Assert.Equal(1, b.ProcessNetwork.Images.Count);

        // The same program again: b has its image, so only the hash travels.
        Assert.Equal("child on the other node got ping\npong\n", await RunAsync(a, program));
        Assert.Equal(1, a.ProcessNetwork.ImagesSent);
        Assert.Equal(1, b.ProcessNetwork.Images.Count);
        await Eventually.True(() => b.Processes.Count == 0, Wait, "the children on b ended");
    }

    [Fact]
    public async Task MessagesBetweenTwoProcessesOnDifferentMembersArriveInOrder()
    {
        await using var cluster = new TestCluster();
        var (a, b) = await TwoNodesAsync(cluster);
        // The parent sends 0..N-1 as 4-byte words; the child checks each against the count it
        // expects and answers "ok" after N in order, or "out of order" at the first that is not.
        string program = $$"""
            .data
            ok:     .asciiz 'ok'
            bad:    .asciiz 'out of order'
            full:   .asciiz 'refused'
            .code
            {{OtherMember}}
                    load $4 @child
                    load $5 #3000
                    spawn $4 $5 $6
                    load $10 #0
                    load $11 #3000
                    load $2 #0
                    load $3 #4
            loop:   setm $2 $10
                    send $6 $2 $3
                    djmpe @sent
                    prts @full
                    hlt
            sent:   inc $10
                    lt $10 $11
                    djmpe @loop
                    load $7 #-1
                    load $8 #16
                    recv $9 $7 $8
                    prth $8 $7
                    hlt
            child:  load $12 #0
                    load $2 #0
            next:   load $7 #-1
                    recv $9 $7 $2
                    loadm $2 $13
                    eq $13 $12
                    djmpe @good
                    load $1 @bad
                    strh $2 $1 $3
                    send $9 $2 $3
                    hlt
            good:   inc $12
                    lt $12 $0
                    djmpe @next
                    load $1 @ok
                    strh $2 $1 $3
                    send $9 $2 $3
                    hlt
            """;
        Assert.Equal("ok", await RunAsync(a, program));
    }

    [Fact]
    public async Task AMonitorOfAProcessOnAMemberThatIsLostGetsReasonFour()
    {
        await using var cluster = new TestCluster();
        var (a, b) = await TwoNodesAsync(cluster, timeoutMs: 1500);
        // The child waits for ever on b; the parent monitors it and prints what RECV gives:
        // R[b] = -1 - reason, and whether the notice is about the child's handle.
        string program = $$"""
            .data
            same:   .asciiz ' about the child'
            .code
            {{OtherMember}}
                    load $4 @child
                    load $5 #0
                    spawn $4 $5 $6
                    monitor $6
                    load $7 #-1
                    load $8 #0
                    recv $9 $7 $8
                    prti $7
                    eq $9 $6
                    djmpe @about
                    hlt
            about:  prts @same
                    hlt
            child:  load $7 #-1
                    load $8 #0
                    recv $9 $7 $8
                    hlt
            """;
        var (process, output) = Start(a, program);
        await Eventually.True(() => b.Processes.Count == 1, Wait, "the child running on b");
        await Task.Delay(200); // let the monitor request reach b before b goes (either way the notice is reason 4)
        var lostAt = DateTime.UtcNow;
        await b.DisposeAsync();
        Assert.True(await Task.Run(() => process.Group.WaitForEnd(Wait)), "the parent never got its notice");
        Assert.Equal("-5 about the child", Encoding.UTF8.GetString(output.ToArray()));
        Assert.True(DateTime.UtcNow - lostAt < TimeSpan.FromSeconds(10), "the notice came long after the node was lost");
    }

    [Fact]
    public async Task WhereFindsANameOnAnotherMemberAndNotAMissingOne()
    {
        await using var cluster = new TestCluster();
        var (a, b) = await TwoNodesAsync(cluster);
        const string Echo = """
            .data
            name:   .asciiz 'echo'
            .code
                    reg @name
                    load $7 #-1
                    load $8 #0
                    recv $9 $7 $8
                    send $9 $8 $7
                    hlt
            """;
        var (echo, _) = Start(b, Echo);
        await Eventually.True(() => b.Processes.Lookup("echo") is not null, Wait, "echo registered on b");
        const string Asker = """
            .data
            there:  .asciiz 'echo@b'
            absent: .asciiz 'nobody@b'
            nonode: .asciiz 'echo@zz'
            hi:     .asciiz 'hello'
            none:   .asciiz 'none '
            .code
                    where $3 @absent
                    djmpe @wrong
                    prts @none
                    where $3 @nonode
                    djmpe @wrong
                    prts @none
                    where $3 @there
                    djmpe @found
            wrong:  hlt
            found:  load $1 @hi
                    load $2 #0
                    strh $2 $1 $4
                    send $3 $2 $4
                    load $7 #-1
                    load $8 #16
                    recv $9 $7 $8
                    prth $8 $7
                    hlt
            """;
        Assert.Equal("none none hello", await RunAsync(a, Asker));
        Assert.True(await Task.Run(() => echo.Group.WaitForEnd(Wait)));
    }
}
