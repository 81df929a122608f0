using System.Text;
using Iridium.Cluster.Client;
using Iridium.Cluster.Exec;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Exec;

/// <summary>
/// `exec --detach` and `logs`: a detached group runs on after its client has gone, its output is
/// kept (the last 64 KiB) for `logs`, which can follow it to its end, directly or through another
/// member.
/// </summary>
public class DetachedExecTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Prints a line, waits for one message, prints it and halts.</summary>
    private const string WaitsForAMessage = """
        .data
        hello:  .asciiz 'started'
        got:    .asciiz 'got '
        .code
                prts @hello
                load $4 #10
                prtc $4
                load $7 #-1
                load $8 #0
                recv $9 $7 $8
                prts @got
                prth $8 $7
                prtc $4
                hlt
        """;

    private static ExecSpec Detached(string source)
        => new("detached.iasm", Processes.CrossNodeTests.Assemble(source), null, false, Detach: true);

    private static async Task<ClusterClient> ClientAsync(ClusterNode node)
        => await ClusterClient.ConnectAsync("127.0.0.1", node.AdvertisedPort, TestCluster.Cookie, Wait);

    private static async Task<(LogsResult Result, string Output)> LogsAsync(ClusterClient client, string id, bool follow)
    {
        var output = new StringBuilder();
        var result = await client.LogsAsync(id, follow, bytes =>
        {
            lock (output) output.Append(Encoding.UTF8.GetString(bytes));
        }).WaitAsync(Wait);
        lock (output) return (result, output.ToString());
    }

    [Fact]
    public async Task ADetachedGroupOutlivesItsClientAndLogsShowAndFollowItsOutput()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        string id;
        await using (var starter = await ClientAsync(a))
        {
            var result = Assert.Single(await starter.ExecAsync(["a"], Detached(WaitsForAMessage), (_, _, _) => Assert.Fail("a detached exec streams nothing"), CancellationToken.None).WaitAsync(Wait));
            Assert.Equal(ExecEnd.Detached, result.End);
            id = result.ProcessId!;
            Assert.StartsWith("a.", id, StringComparison.Ordinal);
        }
        // The client is gone, and the group still runs (it waits in RECV).
        await Eventually.True(() => a.Clients.Count == 0, Wait, "the starter's connection closed");
        Assert.Equal(1, a.Processes.Count);

        await using var client = await ClientAsync(a);
        await Eventually.True(() => a.Processes.List().Single().State == Iridium.Vm.ProcessRunState.Waiting, Wait, "the group waits for its message");
        var (now, kept) = await LogsAsync(client, id, follow: false);
        Assert.True(now.Found, now.Message);
        Assert.Equal(("started\n", $"{id} is running"), (kept, now.Message));

        // Follow from another client; a message makes the group print and end.
        await using var follower = await ClientAsync(a);
        var following = LogsAsync(follower, id, follow: true);
        Assert.Equal(SendEnd.Queued, (await client.SendAsync(id, "hi"u8.ToArray(), false, TimeSpan.Zero)).End);
        var (ended, followed) = await following;
        Assert.True(ended.Found, ended.Message);
        Assert.Equal(("started\ngot hi\n", $"{id} halted with status 0"), (followed, ended.Message));

        // Once ended, its log is still there.
        var (after, again) = await LogsAsync(client, id, follow: true);
        Assert.Equal(("started\ngot hi\n", $"{id} halted with status 0"), (again, after.Message));
    }

    [Fact]
    public async Task ADetachedExecOnAnotherMemberIsStartedAndFollowedThroughTheContactedNode()
    {
        await using var cluster = new TestCluster();
        var (a, b) = await Processes.CrossNodeTests.TwoNodesAsync(cluster);
        await using var client = await ClientAsync(b);
        ExecResult result;
        var deadline = DateTime.UtcNow + Wait;
        // b forwards exec to a once it has heard a runs programs (a's first load report).
        while ((result = Assert.Single(await client.ExecAsync(["a"], Detached(WaitsForAMessage), (_, _, _) => { }, CancellationToken.None).WaitAsync(Wait))).End == ExecEnd.Refused
            && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal((ExecEnd.Detached, "a"), (result.End, result.Alias));
        string id = result.ProcessId!;
        Assert.Equal(1, a.Processes.Count);

        var following = LogsAsync(client, id, follow: true);
        await using var sender = await ClientAsync(b);
        Assert.Equal(SendEnd.Queued, (await sender.SendAsync(id, "there"u8.ToArray(), false, TimeSpan.Zero)).End);
        var (ended, followed) = await following;
        Assert.Equal(("started\ngot there\n", $"{id} halted with status 0"), (followed, ended.Message));
    }

    [Fact]
    public async Task AFollowerThatLeavesIsLetGo_HereAndOnTheMemberItWasRelayedTo()
    {
        await using var cluster = new TestCluster();
        var (a, b) = await Processes.CrossNodeTests.TwoNodesAsync(cluster);
        string id;
        await using (var starter = await ClientAsync(a))
        {
            id = Assert.Single(await starter.ExecAsync(["a"], Detached(WaitsForAMessage), (_, _, _) => { }, CancellationToken.None).WaitAsync(Wait)).ProcessId!;
        }
        var log = a.Exec.Logs.Find(id)!;
        await Eventually.True(() => a.Processes.List().Single().State == Iridium.Vm.ProcessRunState.Waiting, Wait, "the group waits for its message, printing nothing");

        // Followers of a group that prints nothing more, on a and through b; then they leave.
        for (int round = 0; round < 3; round++)
        {
            var here = await ClientAsync(a);
            var relayed = await ClientAsync(b);
            using var stop = new CancellationTokenSource();
            var following = new[] { here, relayed }.Select(client => client.LogsAsync(id, follow: true, _ => { }, stop.Token)).ToArray();
            await Eventually.True(() => log.Followers == 2 && a.Commands.MemberFollows == 1, Wait, "both following");
            await here.DisposeAsync();
            await relayed.DisposeAsync();
            stop.Cancel();
            // Their calls end one way or another (closed, cancelled); what matters is what a holds.
            foreach (var task in following) await Task.WhenAny(task, Task.Delay(Wait));
            // The node holds neither: the local follower is let go as its client closes, the relayed one once b says so.
            await Eventually.True(() => log.Followers == 0 && a.Commands.MemberFollows == 0, Wait, $"followers let go (round {round}: {log.Followers} here, {a.Commands.MemberFollows} for members)");
        }

        // The group still runs and can still be followed to its end.
        await using var client = await ClientAsync(b);
        var last = LogsAsync(client, id, follow: true);
        await Eventually.True(() => log.Followers == 1, Wait, "followed again");
        await using var sender = await ClientAsync(a);
        Assert.Equal(SendEnd.Queued, (await sender.SendAsync(id, "bye"u8.ToArray(), false, TimeSpan.Zero)).End);
        var (ended, followed) = await last;
        Assert.Equal(("started\ngot bye\n", $"{id} halted with status 0"), (followed, ended.Message));
        Assert.Equal(0, a.Commands.MemberFollows);
    }

    [Fact]
    public async Task LogsOfNoDetachedGroupAndKillGroupOfNoProcessAreRefused()
    {
        await using var cluster = new TestCluster();
        var (a, b) = await Processes.CrossNodeTests.TwoNodesAsync(cluster);
        await using var client = await ClientAsync(a);
        var (missing, output) = await LogsAsync(client, "a.999", follow: true);
        Assert.False(missing.Found);
        Assert.Equal("", output);
        Assert.Contains("no detached group a.999", missing.Message, StringComparison.Ordinal);
        Assert.False((await LogsAsync(client, "nosuchnode.1", follow: false)).Result.Found);

        var (found, message) = await client.KillGroupAsync("a.999");
        Assert.False(found);
        Assert.Contains("no process a.999", message, StringComparison.Ordinal);
        Assert.False((await client.KillGroupAsync("not an id")).Found);
    }

    [Fact]
    public void AGroupLogKeepsTheLast64KiBInOrder()
    {
        var log = new GroupLog();
        var all = new List<byte>();
        for (int line = 0; all.Count < 3 * GroupLog.MaxBytes; line++)
        {
            byte[] bytes = Encoding.ASCII.GetBytes($"line {line}\n");
            log.Write(bytes);
            all.AddRange(bytes);
        }
        byte[]? kept = null;
        log.Read(follow: false, (bytes, end) => kept = bytes, _ => true, _ => { });
        Assert.Equal(GroupLog.MaxBytes, kept!.Length);
        Assert.Equal(all.Skip(all.Count - GroupLog.MaxBytes).ToArray(), kept);

        // One write larger than the bound keeps its tail.
        byte[] big = Enumerable.Range(0, GroupLog.MaxBytes + 100).Select(i => (byte)i).ToArray();
        log.Write(big);
        log.Read(follow: false, (bytes, end) => kept = bytes, _ => true, _ => { });
        Assert.Equal(big[100..], kept);
    }
}
