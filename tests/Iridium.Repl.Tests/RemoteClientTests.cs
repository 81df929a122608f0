using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Iridium.Repl.Remote;
using Iridium.Vm;
using static Iridium.Repl.Tests.TestProcesses;

namespace Iridium.Repl.Tests;

/// <summary>
/// <c>iridium remote</c>'s client against fake servers (one that accepts and never speaks, one
/// that sends escape bytes, one that closes without a word) and a real one fed piped input.
/// </summary>
public sealed class RemoteClientTests
{
    private static readonly byte[] Cookie = Encoding.UTF8.GetBytes("test-cookie");

    /// <summary>A listener on a free loopback port whose accepted connections get <paramref name="serve"/>.</summary>
    private sealed class FakeServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;
        private readonly List<TcpClient> _accepted = [];

        public FakeServer(Func<NetworkStream, CancellationToken, Task> serve)
        {
            _listener.Start();
            _accepting = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    lock (_accepted) _accepted.Add(client);
                    _ = serve(client.GetStream(), _stop.Token);
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            try { await _accepting; } catch (OperationCanceledException) { } catch (SocketException) { } catch (ObjectDisposedException) { }
            lock (_accepted) foreach (var client in _accepted) client.Dispose();
        }
    }

    private static async Task<(RemoteClientStatus Status, string Output, string Error, TimeSpan Took)> RunClientAsync(
        int port, TimeSpan loginTimeout, string input = "", IReadOnlyList<string>? commands = null, Func<CancellationToken, Task<bool>>? isClusterPort = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        var status = await RemoteReplClient.RunAsync("127.0.0.1", port, () => Cookie, commands ?? [], new StringReader(input), output, error,
            loginTimeout: loginTimeout, isClusterPort: isClusterPort).WaitAsync(TimeSpan.FromSeconds(60));
        return (status, output.ToString(), error.ToString(), clock.Elapsed);
    }

    [Fact]
    public async Task AServerThatAcceptsAndNeverSpeaks_FailsAtTheLoginDeadline()
    {
        await using var silent = new FakeServer((_, stop) => Task.Delay(Timeout.Infinite, stop));
        int probes = 0;
        var (status, _, error, took) = await RunClientAsync(silent.Port, TimeSpan.FromMilliseconds(500),
            isClusterPort: _ => { Interlocked.Increment(ref probes); return Task.FromResult(false); });
        Assert.Equal(RemoteClientStatus.ConnectionFailed, status);
        Assert.Equal(0, probes);   // the deadline is the whole budget: no probe after it
        Assert.Equal($"iridium: 127.0.0.1:{silent.Port} did not answer within 0.5 s\n", error.ReplaceLineEndings("\n"));
        Assert.True(took < TimeSpan.FromSeconds(30), $"took {took}");
    }

    [Fact]
    public async Task EscapeBytesFromTheServer_AreEscapedInTheErrorLine()
    {
        await using var hostile = new FakeServer(async (stream, stop) =>
            await stream.WriteAsync("\u001b]0;pwned\u0007\u001b[2Jgo away\n"u8.ToArray(), stop));
        var (status, _, error, _) = await RunClientAsync(hostile.Port, TimeSpan.FromSeconds(10));
        Assert.Equal(RemoteClientStatus.ConnectionFailed, status);
        Assert.DoesNotContain('\u001b', error);
        Assert.DoesNotContain('\u0007', error);
        Assert.Contains(@"\u001B]0;pwned\u0007\u001B[2Jgo away", error);
    }

    [Fact]
    public async Task AServerThatNeverEndsItsLine_IsCutAtTheLineBound()
    {
        await using var endless = new FakeServer(async (stream, stop) =>
        {
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1024));
            while (!stop.IsCancellationRequested) await stream.WriteAsync(chunk, stop);
        });
        var (status, _, error, _) = await RunClientAsync(endless.Port, TimeSpan.FromSeconds(10));
        Assert.Equal(RemoteClientStatus.ConnectionFailed, status);
        Assert.True(error.Length < 1000, $"{error.Length} characters");   // escaped and cut, not 4096 x's
    }

    [Fact]
    public async Task AServerThatClosesWithoutAWord_IsNamedAClusterPort_WhenTheProbeSaysSo()
    {
        await using var closing = new FakeServer((stream, _) => { stream.Close(); return Task.CompletedTask; });
        int probes = 0;
        var (status, _, error, _) = await RunClientAsync(closing.Port, TimeSpan.FromSeconds(10),
            isClusterPort: _ => { Interlocked.Increment(ref probes); return Task.FromResult(true); });
        Assert.Equal(RemoteClientStatus.ConnectionFailed, status);
        Assert.Equal(1, probes);
        Assert.Equal($"iridium: 127.0.0.1:{closing.Port} is a cluster port, not a remote REPL port (try 'iridium members 127.0.0.1:{closing.Port}')\n",
            error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task AServerThatClosesWithoutAWord_IsReportedClosed_WhenNoNodeIsThere()
    {
        await using var closing = new FakeServer((stream, _) => { stream.Close(); return Task.CompletedTask; });
        var (_, _, error, _) = await RunClientAsync(closing.Port, TimeSpan.FromSeconds(10), isClusterPort: _ => Task.FromResult(false));
        Assert.Equal($"iridium: 127.0.0.1:{closing.Port} closed the connection\n", error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task PipedInput_PrintsOnlyTheOutput_NoBannerOrPrompts()
    {
        var root = Directory.CreateTempSubdirectory("iridium-remote-client-test-").FullName;
        var server = new RemoteReplServer(new RemoteServerOptions
        {
            ProgramDirectory = Path.Combine(root, "programs"),
            BindHost = "127.0.0.1",
            BindPort = 0,
            Cookie = Cookie,
            MaxSteps = 10_000,
            Processes = OneThread(),
            Version = "9.8.7",
        });
        server.Start();
        try
        {
            var (status, output, error, _) = await RunClientAsync(server.Port, TimeSpan.FromSeconds(10),
                input: "load $0 #1\nload $1 #2\nadd $0 $1 $2\nprti $2\n");
            Assert.Equal(RemoteClientStatus.Ok, status);
            Assert.Equal("", error);
            Assert.Equal("3\n", output.ReplaceLineEndings("\n"));
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }
}
