using System.Net;
using System.Net.Sockets;
using System.Text;
using Iridium.Cluster.Client;
using Iridium.Cluster.Exec;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Exec;

/// <summary>
/// The client as the command-line tools use it (<see cref="ClientIo.Blocking"/>): every call
/// completes on the calling thread before it returns, timeouts come from the socket, and Ctrl-C
/// (the token) still reaches a call that is blocked reading. Each test runs the client on a
/// thread of its own, as a tool's main thread would.
/// </summary>
public class BlockingClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private const string Hello = ".data\nmsg: .asciiz 'hello'\n.code\nprts @msg\nhlt\n";
    private const string Forever = ".data\nmsg: .asciiz 'started'\n.code\nprts @msg\nload $0 #1\nload $1 #2\ntop: lt $0 $1\ndjmpe @top\n";

    private static ExecSpec Spec(string source)
    {
        var result = Iridium.Assembler.Assembler.Assemble(source, "test.iasm");
        Assert.True(result.Success, result.RenderErrors());
        return new ExecSpec("test.iasm", result.Image!, null, false);
    }

    private static async Task<ClusterNode[]> MeshOfTwoAsync(TestCluster cluster)
    {
        var a = await cluster.StartAsync(TestCluster.Options("a"));
        var b = await cluster.StartAsync(TestCluster.Options("b"));
        Assert.True((await b.JoinAsync("127.0.0.1", a.AdvertisedPort)).Success);
        await Eventually.True(() => TestCluster.Complete([a, b], 2) && a.Exec.Understands(b.NodeId), Wait, "a and b meshed, b announced exec");
        return [a, b];
    }

    /// <summary>Runs <paramref name="body"/> on a dedicated thread: a blocking client must never hold a pool thread the nodes need.</summary>
    private static Task<T> OnOwnThread<T>(Func<T> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(body());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true };
        thread.Start();
        return done.Task;
    }

    /// <summary>A call of a blocking client: it must have finished by the time it returns.</summary>
    private static T Completed<T>(Task<T> call)
    {
        Assert.True(call.IsCompleted, "a blocking client's call returned before it completed");
        return call.GetAwaiter().GetResult();
    }

    [Fact]
    public async Task EveryCallCompletesOnTheCallingThread()
    {
        await using var cluster = new TestCluster();
        var nodes = await MeshOfTwoAsync(cluster);
        var (members, pinged, result, output) = await OnOwnThread(() =>
        {
            var client = Completed(ClusterClient.ConnectAsync("127.0.0.1", nodes[0].AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(10), ClientIo.Blocking));
            try
            {
                var members = Completed(client.MembersAsync());
                var pinged = Completed(client.PingAsync(1, payloadBytes: 1000));
                var output = new StringBuilder();
                var results = Completed(client.ExecAsync(["b"], Spec(Hello), (_, _, bytes) => output.Append(Encoding.UTF8.GetString(bytes)), CancellationToken.None));
                return (members, pinged, Assert.Single(results), output.ToString());
            }
            finally
            {
                client.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }).WaitAsync(Wait);

        Assert.Equal(["a", "b"], members.Select(m => m.Alias).Order());
        Assert.True(pinged > TimeSpan.Zero);
        Assert.Equal((ExecEnd.Stopped, "b"), (result.End, result.Alias));
        Assert.Equal("hello", output);
    }

    [Fact]
    public async Task ANodeThatNeverAnswersTimesOutInEitherMode()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var timeout = TimeSpan.FromMilliseconds(300);
        foreach (var io in new[] { ClientIo.Blocking, ClientIo.Async })
        {
            var e = await Assert.ThrowsAsync<ClusterClientException>(() =>
                OnOwnThread(() => ClusterClient.ConnectAsync("127.0.0.1", port, TestCluster.Cookie, timeout, io).GetAwaiter().GetResult()).WaitAsync(Wait));
            Assert.Equal($"127.0.0.1:{port} did not answer within 0.3 s", e.Message);
            Assert.False(e.AuthenticationFailed);
        }
    }

    [Fact]
    public async Task InterruptingABlockedReadStopsTheRemoteProgram()
    {
        await using var cluster = new TestCluster();
        var nodes = await MeshOfTwoAsync(cluster);
        using var interrupt = new CancellationTokenSource();
        var run = OnOwnThread(() =>
        {
            var client = Completed(ClusterClient.ConnectAsync("127.0.0.1", nodes[0].AdvertisedPort, TestCluster.Cookie, TimeSpan.FromSeconds(10), ClientIo.Blocking));
            try
            {
                // The client's thread is blocked reading while the program loops; Ctrl-C comes from
                // another thread. Waited for, not asserted complete: a Ctrl-C that sends its cancel
                // while this thread sends credit makes one of the two wait for the write lock, and
                // that one finishes on a pool thread (seen once in two whole-suite runs under stress-ng).
                return client.ExecAsync(["b"], Spec(Forever), (_, _, _) => { }, interrupt.Token).GetAwaiter().GetResult();
            }
            finally
            {
                client.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        });
        await Eventually.True(() => nodes[1].Processes.Count == 1, Wait, "the program runs on b");
        await interrupt.CancelAsync();

        Assert.Equal(ExecEnd.Interrupted, Assert.Single(await run.WaitAsync(Wait)).End);
        await Eventually.True(() => nodes[1].Processes.Count == 0, Wait, "the interrupted process leaves b's table");
    }
}
