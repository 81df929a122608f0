using System.Net;
using System.Net.Sockets;
using System.Text;
using Iridium.Cluster.Tests.Support;
using Iridium.Crypto;
using Iridium.Repl.Engine;
using Iridium.Repl.Remote;
using Iridium.Vm;
using static Iridium.Repl.Tests.TestProcesses;

namespace Iridium.Repl.Tests;

/// <summary>
/// What remote users cannot take from each other: login slots apart from session
/// slots, a heap cap per session VM, one heap budget for all VMs, an output cap per line.
/// Loopback only; every server and connection is closed by the test.
/// </summary>
[Collection(FloodCollection.Name)]
public sealed class RemoteLimitsTests : IDisposable
{
    private static readonly byte[] Cookie = Encoding.UTF8.GetBytes("limits-cookie");
    private readonly string _root = Directory.CreateTempSubdirectory("iridium-limits-test-").FullName;

    private string ProgramDirectory => Path.Combine(_root, "programs");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private RemoteReplServer Start(Func<RemoteServerOptions, RemoteServerOptions>? adjust = null)
    {
        var options = new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, Cookie = Cookie, MaxSteps = 1_000_000, Processes = OneThread() };
        var server = new RemoteReplServer(adjust?.Invoke(options) ?? options);
        server.Start();
        return server;
    }

    private void Program(string name, string source) => File.WriteAllText(Path.Combine(ProgramDirectory, name), source);

    /// <summary>A logged-in session, as `iridium remote` has it.</summary>
    private static Task<RemoteTestClient> LoginAsync(int port) => RemoteTestClient.LoginAsync(port, Cookie, timeoutSeconds: 10);

    [Fact]
    public async Task IdleAndFloodingStrangersNeverMakeACorrectLoginFail()
    {
        await using var server = Start();
        // 40 idle connections from the legitimate client's own address, more than the 16 sessions...
        var idle = new List<TcpClient>();
        for (int i = 0; i < 40; i++)
        {
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, server.Port);
            idle.Add(client);
        }
        // ...and a stall/reconnect flood of 600 at once from another address.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var flood = StallFlood.RunAsync(server.Port, concurrent: 600, stop.Token);
        await WaitUntil(() => server.PendingLogins >= 16, "the strangers hold login slots");

        int loggedIn = 0;
        for (int i = 0; i < 10; i++)
        {
            using var session = await LoginAsync(server.Port);
            Assert.Contains("VM stopped: code 0", await session.RunAsync("hlt"));
            loggedIn++;
        }
        int pending = server.PendingLogins;
        await stop.CancelAsync();
        long opened = await flood;
        foreach (var client in idle) client.Dispose();

        Assert.Equal(10, loggedIn);
        Assert.True(opened >= 600, $"the flood opened {opened} connections");
        Assert.InRange(pending, 1, 64); // the budget, never more
        // A disposed client's session ends when the server reads its close, which may come after
        // the client's Dispose returns (seen under load): wait for it, boundedly.
        await WaitUntil(() => server.ActiveSessions == 0, "every session ends once its client has gone");
    }

    [Fact]
    public async Task ASessionsHeapIsCappedAndTheFaultSaysSo()
    {
        await using var server = Start(o => o with { MaxHeapBytes = 16 << 20 });
        Program("big.iasm", ".data\n.code\nload $0 #20000000\naloc $0\nhlt\n");
        using var session = await LoginAsync(server.Port);
        string output = await session.RunAsync("!load_file big.iasm");
        Assert.Contains("VM fault: HEAP", output);
        Assert.Contains("heap cap of 16777216 bytes (--max-heap-bytes)", output);
    }

    [Fact]
    public async Task AllSessionsShareOneHeapBudgetAndGiveItBackWhenTheyEnd()
    {
        var budget = new HeapBudget(24 << 20);
        await using var server = Start(o => o with { HeapBudget = budget, Processes = OneThread() });
        Program("fill.iasm", ".data\n.code\nload $0 #15728640\naloc $0\nhlt\n"); // 15 MiB
        var first = await LoginAsync(server.Port);
        using var second = await LoginAsync(server.Port);

        Assert.Contains("VM stopped: code 0", await first.RunAsync("!load_file fill.iasm"));
        Assert.Equal(15 << 20, budget.Used);
        string refused = await second.RunAsync("!load_file fill.iasm");
        Assert.Contains("VM fault: HEAP", refused);
        Assert.Contains($"of the {24 << 20} bytes all VM heaps may use together (--max-total-heap-bytes)", refused);

        await first.RunAsync("!quit");
        first.Dispose();
        await WaitUntil(() => budget.Used == 0, "the first session's heap given back");
        Assert.Contains("VM stopped: code 0", await second.RunAsync("!load_file fill.iasm"));
        await second.RunAsync("!quit");
        await WaitUntil(() => budget.Used == 0 && server.ActiveSessions == 0, "every heap given back");
    }

    [Fact]
    public async Task ALinesOutputIsCutAtTheCapWithAMessageAndTheNextLineStartsAfresh()
    {
        await using var server = Start(o => o with { MaxOutputBytes = 100 });
        Program("chatty.iasm", ".data\ns: .asciiz 'abcdefghijklmnopqrstuvwxyz0123'\n.code\n" + string.Concat(Enumerable.Repeat("prts @s\n", 10)) + "hlt\n");
        using var session = await LoginAsync(server.Port);
        string output = await session.RunAsync("!load_file chatty.iasm");
        string printed = string.Concat(Enumerable.Repeat("abcdefghijklmnopqrstuvwxyz0123", 10))[..100];
        Assert.Contains(printed + "\n" + "[output cut: this command printed more than 100 bytes", output);
        Assert.DoesNotContain(printed + "a", output);
        Assert.Contains("VM stopped: code 0", output);
        Assert.Equal(1, output.Split("[output cut").Length - 1);
        Assert.Contains("abcdefghijklmnopqrstuvwxyz0123abcdefghijklmnopqrstuvwxyz0123", await session.RunAsync("!load_file chatty.iasm"));
    }

    [Fact]
    public async Task AFloodFromTheUsersOwnAddressNeverThrowsNorFloodsTheLog()
    {
        var log = new StringWriter();
        var synchronizedLog = TextWriter.Synchronized(log);
        await using var server = Start(o => o with { Log = synchronizedLog });
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        // 64 stalled connections at a time from 127.0.0.1, the address the correct logins come from:
        // they push each other out of that address's 16 login slots as fast as they can.
        var flood = StallFlood.RunAsync(server.Port, concurrent: 64, stop.Token, source: IPAddress.Loopback);
        await WaitUntil(() => server.PendingLogins >= 16, "the flood holds the address's login slots");

        // Wrong cookies from the same address: every one used to be a log line. (Some are pushed
        // out by the flood before their first message arrives: the others are refused.)
        int refused = 0;
        for (int i = 0; i < 50; i++)
        {
            using var wrong = new TcpClient();
            try
            {
                await wrong.ConnectAsync(IPAddress.Loopback, server.Port);
                var dial = await RemoteHandshake.DialAsync(wrong.GetStream(), () => "not-the-cookie"u8.ToArray(), () => { },
                    new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
                if (dial.Status == DialStatus.WrongCookie) refused++;
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // Pushed out.
            }
        }
        Assert.True(refused >= 1, "no wrong answer was refused");

        // Correct logins from the flooding address, as `iridium remote -c` makes them: pushed out
        // by the flood while its answer is on its way, a login is told the server is busy and
        // tries again within its deadline, so every one gets in.
        var failures = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            // A generous login deadline: at load 13 the 5 s default gave up once ("login slots
            // busy"), as each try's handshake was slow enough for the flood to push it out.
            var status = await RemoteReplClient.RunAsync("127.0.0.1", server.Port, () => Cookie, ["hlt"], TextReader.Null, output, error,
                    loginTimeout: TimeSpan.FromSeconds(30))
                .WaitAsync(TimeSpan.FromSeconds(60));
            if (status != RemoteClientStatus.Ok || !output.ToString().Contains("VM stopped: code 0"))
                failures.Add($"{status}: {error.ToString().Trim()}");
        }
        await stop.CancelAsync();
        long opened = await flood;
        Assert.True(failures.Count == 0, $"{failures.Count} of 10 correct logins failed: " + string.Join("; ", failures.Take(3)));
        Assert.True(opened > 16, $"the flood opened {opened} connections");

        string written = log.ToString();
        string[] lines = written.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain("Exception", written);
        Assert.DoesNotContain("   at ", written);
        // A few lines per address per 10 s and a summary: not one per connection.
        Assert.InRange(lines.Count(l => l.Contains("authentication failed")), 1, 5 * 10);
        Assert.InRange(lines.Length, 1, 100);
    }

    [Fact]
    public async Task ALoginPushedOutToMakeRoomIsToldTheServerIsBusy()
    {
        await using var server = Start(o => o with { MaxPendingLoginsPerAddress = 1 });
        using var first = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, server.Port);
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token;
        var greeting = new byte[RemoteWire.Greeting.Length + 1];
        await first.GetStream().ReadExactlyAsync(greeting, timeout);
        Assert.Equal(RemoteWire.Greeting + "\n", Encoding.ASCII.GetString(greeting));

        // The address's one login slot is taken by a connection that has not sent its handshake:
        // the newcomer pushes it out, and it hears why instead of a bare close.
        using var second = await LoginAsync(server.Port);
        var rest = new MemoryStream();
        await first.GetStream().CopyToAsync(rest, timeout);
        Assert.Equal((byte)HandshakeReply.Busy, rest.ToArray()[RemoteWire.HeaderBytes]);
        Assert.Contains("try again", Encoding.UTF8.GetString(rest.ToArray()));
        Assert.Contains("VM stopped: code 0", await second.RunAsync("hlt"));
    }

    [Fact]
    public async Task AFloodOfHandshakesDoesNotStarveALoggedInSession()
    {
        await using var server = Start();
        using var session = await LoginAsync(server.Port);
        Assert.Contains("VM stopped: code 0", await session.RunAsync("hlt"));   // the interpreter compiled before the clock starts
        // The dearest thing a stranger can send: a first message whose tag checks (a replay of a
        // real one), which costs the server a key pair and an agreement before the login frame,
        // here garbage, fails. 32 at a time, from another address, as fast as they go.
        var noise = NoiseHandshake.Initiator(CipherChoices.Preferred, CookieKey.PreSharedKey(Cookie), RemoteWire.Prologue(RemoteWire.Greeting));
        byte[] replay = [.. RemoteWire.Frame([(byte)noise.Cipher], noise.WriteFirst([])), .. RemoteWire.Frame(new byte[RemoteWire.LoginPayload.Length + 16])];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        long answered = 0;
        var flood = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (!stop.IsCancellationRequested)
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(StallFlood.Attacker, 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), stop.Token);
                    await socket.SendAsync(replay, SocketFlags.None, stop.Token);
                    int got = 0;
                    for (int n; (n = await socket.ReceiveAsync(buffer, SocketFlags.None, stop.Token)) > 0;) got += n;
                    // The greeting, then message 2: the server did the Diffie-Hellman for it.
                    if (got > RemoteWire.Greeting.Length + 1 + RemoteWire.HeaderBytes) Interlocked.Increment(ref answered);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // Dropped or stopped: again.
                }
            }
        })).ToList();
        await WaitUntil(() => Interlocked.Read(ref answered) >= 20, "the flood's handshakes are answered");

        var times = new List<TimeSpan>();
        for (int i = 0; i < 20; i++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Contains("VM stopped: code 0", await session.RunAsync("hlt"));
            times.Add(clock.Elapsed);
        }
        var slowest = times.Max();
        // A new login gets in meanwhile, too.
        var output = new StringWriter();
        var status = await RemoteReplClient.RunAsync("127.0.0.1", server.Port, () => Cookie, ["hlt"], TextReader.Null, output, new StringWriter())
            .WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(flood);

        Assert.Equal(RemoteClientStatus.Ok, status);
        Assert.Contains("VM stopped: code 0", output.ToString());
        // Every line was answered (each within RunAsync's 30 s); generous, for two shared cores.
        Assert.True(slowest < TimeSpan.FromSeconds(10), $"the slowest line took {slowest}: " + string.Join(" ", times.Select(t => $"{t.TotalMilliseconds:0}")));
        Assert.True(Interlocked.Read(ref answered) >= 20, $"only {answered} handshakes answered");
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }
}

/// <summary>
/// The flood tests run alone: a flood on two shared cores starves whatever runs beside it (other
/// tests' deadlines), and their own correct clients must not compete with other tests for the CPU.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FloodCollection
{
    public const string Name = "floods";
}
