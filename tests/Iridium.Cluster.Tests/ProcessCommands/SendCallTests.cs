using System.Text;
using Iridium.Cluster.Client;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.ProcessCommands;

/// <summary>`iridium send` and `iridium call` through the client API the CLI uses: to a process of the contacted node, and relayed to another member.</summary>
public class SendCallTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>A process that takes every message and never answers.</summary>
    private const string Silent = ".data\nname: .asciiz 'silent'\n.code\nreg @name\nload $19 @wait\nwait: load $7 #-1\nload $8 #0\nrecv $9 $7 $8\njmp $19\n";

    private static ExecSpec Spec(string source, string name)
    {
        var result = Iridium.Assembler.Assembler.Assemble(source, name);
        Assert.True(result.Success, result.RenderErrors());
        return new ExecSpec(name, result.Image!, null, false);
    }

    private static ExecSpec CounterServer => Spec(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "counter-server.iasm")), "counter-server.iasm");

    private static Task<ClusterClient> ClientOf(ClusterNode node)
        => ClusterClient.ConnectAsync("127.0.0.1", node.AdvertisedPort, TestCluster.Cookie, Wait);

    /// <summary>Starts <paramref name="spec"/> on <paramref name="on"/> through its own client (an exec runs as long as its client stays).</summary>
    private static async Task<ClusterClient> ServeAsync(ClusterNode contact, string on, ExecSpec spec, ClusterNode host, string name)
    {
        var client = await ClientOf(contact);
        var run = client.ExecAsync([on], spec, (_, _, _) => { }, CancellationToken.None);
        await Eventually.True(() => host.Processes.Lookup(name) is not null || run.IsCompleted, Wait, $"{name} registered on {host.Alias}: " + string.Join(",", host.Processes.List().Select(p => $"{p.Id} {p.State} {p.Steps} {p.Name}")) + " / " + string.Join(",", contact.Processes.List().Select(p => $"{p.Id} {p.State} {p.Steps} {p.Name}")));
        Assert.False(run.IsCompleted, run.IsCompleted ? $"the server ended: {run.Result[0]}" : "");
        return client;
    }

    private static async Task<(TestCluster Cluster, ClusterNode[] Nodes)> MeshAsync(int count)
    {
        var cluster = new TestCluster();
        var nodes = new ClusterNode[count];
        for (int i = 0; i < count; i++)
        {
            nodes[i] = await cluster.StartAsync(TestCluster.Options(((char)('a' + i)).ToString()));
            if (i > 0) Assert.True((await nodes[i].JoinAsync("127.0.0.1", nodes[0].AdvertisedPort)).Success);
        }
        await Eventually.True(() => TestCluster.Complete(nodes, count), Wait, $"full mesh of {count}");
        await Eventually.True(() => nodes.All(n => nodes.All(p => p == n || n.Exec.Understands(p.NodeId))), Wait, "exec announced");
        return (cluster, nodes);
    }

    [Fact]
    public async Task EachCallToTheCounterGetsTheNextCount()
    {
        var (cluster, nodes) = await MeshAsync(1);
        await using var _c = cluster;
        await using var server = await ServeAsync(nodes[0], "a", CounterServer, nodes[0], "counter");
        await using var client = await ClientOf(nodes[0]);

        var answers = new List<string>();
        foreach (string target in new[] { "counter@a", "counter", "counter@a" })
        {
            var result = await client.SendAsync(target, Encoding.UTF8.GetBytes("hello"), wantReply: true, Wait);
            Assert.Equal(SendEnd.Answered, result.End);
            answers.Add(Encoding.UTF8.GetString(result.Answer));
        }
        Assert.Equal(["1", "2", "3"], answers);
        // The caller was a process while it waited, and is gone now: only the server is left.
        await Eventually.True(() => nodes[0].Processes.Count == 1, Wait, "the callers ended");
    }

    [Fact]
    public async Task ACallToANameOnAnotherMemberIsRelayedThere()
    {
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        await using var server = await ServeAsync(nodes[0], "b", CounterServer, nodes[1], "counter");
        await using var client = await ClientOf(nodes[0]);

        var first = await client.SendAsync("counter@b", [], wantReply: true, Wait);
        var second = await client.SendAsync("counter@b", [], wantReply: true, Wait);
        Assert.Equal((SendEnd.Answered, "1", SendEnd.Answered, "2"),
            (first.End, Encoding.UTF8.GetString(first.Answer), second.End, Encoding.UTF8.GetString(second.Answer)));
        // On a itself there is no counter.
        var local = await client.SendAsync("counter@a", [], wantReply: true, Wait);
        Assert.Equal(SendEnd.Refused, local.End);
        Assert.Contains("no process is registered as 'counter@a' on a", local.Message);
    }

    [Fact]
    public async Task SendQueuesByIdAndRefusesWhatIsNotThere()
    {
        var (cluster, nodes) = await MeshAsync(2);
        await using var _c = cluster;
        await using var server = await ServeAsync(nodes[0], "b", Spec(Silent, "silent.iasm"), nodes[1], "silent");
        await using var client = await ClientOf(nodes[0]);
        string id = nodes[1].Processes.Lookup("silent")!.Id;

        var queued = await client.SendAsync(id, Encoding.UTF8.GetBytes("one"), wantReply: false, Wait);
        Assert.Equal((SendEnd.Queued, id), (queued.End, queued.Message));
        Assert.Equal(SendEnd.Refused, (await client.SendAsync("b.999", [], wantReply: false, Wait)).End);
        var noMember = await client.SendAsync("silent@zz", [], wantReply: false, Wait);
        Assert.Equal(SendEnd.Refused, noMember.End);
        Assert.Contains("no member called 'zz'", noMember.Message);
        var bad = await client.SendAsync("not a name!", [], wantReply: false, Wait);
        Assert.Equal(SendEnd.Refused, bad.End);
        var tooBig = await client.SendAsync(id, new byte[Iridium.Vm.ProcessLimits.DefaultMaxMessageBytes + 1], wantReply: false, Wait);
        Assert.Equal(SendEnd.Refused, tooBig.End);
        Assert.Contains("--max-message-bytes", tooBig.Message);
    }

    [Fact]
    public async Task ACallNobodyAnswersTimesOut()
    {
        var (cluster, nodes) = await MeshAsync(1);
        await using var _c = cluster;
        await using var server = await ServeAsync(nodes[0], "a", Spec(Silent, "silent.iasm"), nodes[0], "silent");
        await using var client = await ClientOf(nodes[0]);

        var result = await client.SendAsync("silent@a", [], wantReply: true, TimeSpan.FromMilliseconds(200));
        Assert.Equal(SendEnd.TimedOut, result.End);
        Assert.Contains("did not answer within 200 ms", result.Message);
        await Eventually.True(() => nodes[0].Processes.Count == 1, Wait, "the caller ended");
    }
}
