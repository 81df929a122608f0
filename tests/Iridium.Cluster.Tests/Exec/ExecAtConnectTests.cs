using System.Text;
using Iridium.Cluster.Client;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Exec;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Exec;

/// <summary>
/// `iridium exec` sends its request right behind the handshake's Proof (<see cref="ExecAtConnect"/>)
/// instead of a round trip later. The node reads it only once it has admitted the client: behind a
/// Proof that fails it is never run, a busy refusal is still reported (or retried, and then run
/// once), and otherwise it runs as a request sent after the handshake does.
/// </summary>
public class ExecAtConnectTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Runs until stopped: a detached copy stays in `ps`, so a run that should not have happened would show.</summary>
    private const string Forever = ".data\n.code\nload $0 #1\nload $1 #2\ntop: lt $0 $1\ndjmpe @top\n";

    private const string Hello = ".data\nmsg: .asciiz 'hello'\n.code\nprts @msg\nhlt\n";

    /// <summary><paramref name="source"/> with data enough to take its image over <see cref="ExecAtConnect.MaxImageBytesWithProof"/>: its request goes after the handshake.</summary>
    private static string Large(string source) => source.Replace(".data\n", $".data\nbig: .asciiz '{new string('x', ExecAtConnect.MaxImageBytesWithProof)}'\n");

    private static ExecSpec Spec(string source, string program, bool detach = false)
        => new(program, Processes.CrossNodeTests.Assemble(source), null, false, Detach: detach);

    /// <summary>The processes the node lists that run <paramref name="program"/>.</summary>
    private static async Task<int> RunningAsync(ClusterNode node, string program)
    {
        await using var client = await ClusterClient.ConnectAsync("127.0.0.1", node.AdvertisedPort, TestCluster.Cookie, Wait);
        return (await client.ProcessesAsync().WaitAsync(Wait)).Count(p => p.Program == program);
    }

    [Fact]
    public async Task TheRequestRunsOnTheNamedMemberWithItsOutputAndEnd()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        var b = await cluster.StartAsync(TestCluster.Options("b"));
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b], 2) && a.Exec.Understands(b.NodeId), Wait, "a and b meshed, b announced exec");

        foreach (var (source, on) in new[] { (Hello, (string?)null), (Hello, "b"), (Large(Hello), null), (Large(Hello), "b") })
        {
            var exec = new ExecAtConnect(Spec(source, "hello.iasm"), on);
            Assert.Equal(source == Hello, exec.TravelsWithProof);
            await using var client = await ClusterClient.ConnectAsync("127.0.0.1", a.AdvertisedPort, TestCluster.Cookie, Wait, exec: exec);
            Assert.Equal([on ?? "a"], client.ExecTargetsAtConnect);
            var output = new StringBuilder();
            var result = Assert.Single(await client.ExecAtConnectAsync((_, _, bytes) => output.Append(Encoding.UTF8.GetString(bytes)), CancellationToken.None).WaitAsync(Wait));
            Assert.Equal(ExecEnd.Stopped, result.End);
            Assert.Equal(on ?? "a", result.Alias);
            Assert.Equal("hello", output.ToString());
        }
    }

    [Fact]
    public async Task ARequestBehindAProofThatFailsIsNeverRun()
    {
        await using var cluster = new TestCluster();
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        using var deadline = new CancellationTokenSource(Wait);

        // The key exchange with the right cookie, then a Proof with a wrong MAC and a request behind it, in one flush.
        var transport = await SocketTransport.ConnectAsync("127.0.0.1", a.AdvertisedPort, Wait, deadline.Token);
        var connection = new ClusterConnection(transport, isOutbound: true, 1 << 20);
        try
        {
            var self = new LocalIdentity(Guid.NewGuid(), "forger", "", 0);
            var (answer, failure) = await ChannelEncryption.DialAsync(connection, Handshake.Open(self, TestCluster.Cookie, wantMembers: false, ConnectionRole.Client), deadline.Token);
            Assert.Null(failure);
            var challenge = Assert.IsType<Challenge>(answer);
            var requests = ExecStreams.Requests([challenge.Alias!], Spec(Forever, "behind-a-bad-proof.iasm", detach: true));
            await connection.WriteAsync(new Proof { Mac = new byte[32] }, requests, deadline.Token);

            var refusal = Assert.IsType<Refuse>(await connection.ReadAsync(deadline.Token));
            Assert.Equal(RefuseCode.Authentication, refusal.Code);
            // The node closes the connection: what it did not read by now, it never will.
            Assert.Null(await connection.ReadAsync(deadline.Token));
        }
        finally
        {
            connection.Close(CloseReason.Done, "test over");
        }

        // The same request from an admitted client runs (the program is runnable), and only that one is listed.
        await using (var client = await ClusterClient.ConnectAsync("127.0.0.1", a.AdvertisedPort, TestCluster.Cookie, Wait, exec: new ExecAtConnect(Spec(Forever, "admitted.iasm", detach: true), null)))
        {
            Assert.Equal(ExecEnd.Detached, Assert.Single(await client.ExecAtConnectAsync((_, _, _) => { }, CancellationToken.None).WaitAsync(Wait)).End);
        }
        Assert.Equal(1, await RunningAsync(a, "admitted.iasm"));
        Assert.Equal(0, await RunningAsync(a, "behind-a-bad-proof.iasm"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ABusyNodeRunsTheRequestOnceWhenTheRetryGetsIn(bool large)
    {
        await using var cluster = new TestCluster();
        var options = TestCluster.Options("a");
        options.MaxClientConnections = 1;
        var a = await cluster.StartAsync(options);

        // The one client slot is held: the exec's handshake is refused busy, its request unread, and retried.
        var holder = await ClusterClient.ConnectAsync("127.0.0.1", a.AdvertisedPort, TestCluster.Cookie, Wait);
        var spec = Spec(large ? Large(Forever) : Forever, "retried.iasm", detach: true);
        Assert.Equal(!large, new ExecAtConnect(spec, null).TravelsWithProof);
        var exec = ClusterClient.ConnectAsync("127.0.0.1", a.AdvertisedPort, TestCluster.Cookie, Wait, exec: new ExecAtConnect(spec, null));
        await Eventually.True(() => cluster.Log.Contains("too many client connections"), Wait, "the node refused the exec's handshake as busy at least once");
        Assert.False(exec.IsCompleted);
        await holder.DisposeAsync();

        await using (var client = await exec.WaitAsync(Wait))
        {
            Assert.Equal(ExecEnd.Detached, Assert.Single(await client.ExecAtConnectAsync((_, _, _) => { }, CancellationToken.None).WaitAsync(Wait)).End);
        }
        Assert.Equal(1, await RunningAsync(a, "retried.iasm"));
    }

    [Fact]
    public async Task ABusyRefusalIsReportedAsSuchAndRunsNothing()
    {
        await using var cluster = new TestCluster();
        var options = TestCluster.Options("a");
        options.MaxClientConnections = 1;
        var a = await cluster.StartAsync(options);
        using var deadline = new CancellationTokenSource(Wait);

        // One attempt, as ClusterClient makes each of its tries: the refusal is read and says busy.
        await using (await ClusterClient.ConnectAsync("127.0.0.1", a.AdvertisedPort, TestCluster.Cookie, Wait))
        {
            var transport = await SocketTransport.ConnectAsync("127.0.0.1", a.AdvertisedPort, Wait, deadline.Token);
            var connection = new ClusterConnection(transport, isOutbound: true, 1 << 20);
            try
            {
                var self = new LocalIdentity(Guid.NewGuid(), "second", "", 0);
                var outcome = await Handshake.DialAsync(connection, self, TestCluster.Cookie, wantMembers: false, ConnectionRole.Client, deadline.Token,
                    behindProof: alias => ExecStreams.Requests([alias], Spec(Forever, "refused.iasm", detach: true)));
                Assert.False(outcome.Success);
                Assert.Equal(RefuseCode.Busy, outcome.Refusal);
                Assert.Contains("too many client connections", outcome.Message);
                Assert.Null(await connection.ReadAsync(deadline.Token));
            }
            finally
            {
                connection.Close(CloseReason.Done, "test over");
            }
        }
        Assert.Equal(0, await RunningAsync(a, "refused.iasm"));
    }
}
