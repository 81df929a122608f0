using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Iridium.Crypto;
using Iridium.Repl.Engine;
using Iridium.Repl.Remote;

namespace Iridium.Repl.Tests;

/// <summary>
/// What <c>iridium remote</c> does when the server's login budget pushes it out: it tries again
/// within its login deadline, and never after its cookie was refused. Against a scripted server
/// (each accepted connection gets the next step of a script), so the order of events is fixed.
/// Loopback only; every socket is closed by the test.
/// </summary>
public sealed class RemoteLoginRetryTests
{
    private static readonly byte[] Cookie = Encoding.UTF8.GetBytes("retry-cookie");

    /// <summary>What the scripted server does with one connection.</summary>
    private enum Step
    {
        /// <summary>Sends <see cref="RemoteWire.BusyLine"/> at once and closes (refused newcomer).</summary>
        BusyAtOnce,
        /// <summary>Sends the greeting, then a busy reply and closes (pushed out while waiting for the handshake).</summary>
        BusyAfterGreeting,
        /// <summary>Sends the greeting and closes without a word (pushed out after the handshake's message 2).</summary>
        CloseAfterGreeting,
        /// <summary>Sends the greeting, reads the first handshake frame and refuses it.</summary>
        WrongCookie,
        /// <summary>Logs the client in (the server's own handshake) and runs one line.</summary>
        Login,
    }

    /// <summary>Serves the script, one step per connection, the last step for every connection after.</summary>
    private sealed class ScriptedServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _accepted;

        public ScriptedServer(params Step[] script)
        {
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    int index = Interlocked.Increment(ref _accepted) - 1;
                    await ServeAsync(client, script[Math.Min(index, script.Length - 1)]);
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        private async Task ServeAsync(TcpClient client, Step step)
        {
            var stream = client.GetStream();
            async Task Say(byte[] bytes) => await stream.WriteAsync(bytes, _stop.Token);
            if (step == Step.BusyAtOnce)
            {
                await Say(Encoding.ASCII.GetBytes(RemoteWire.BusyLine + "\n"));
                return;
            }
            await Say(Encoding.ASCII.GetBytes(RemoteWire.Greeting + "\n"));
            if (step == Step.CloseAfterGreeting) return;
            if (step == Step.BusyAfterGreeting)
            {
                await Say(RemoteWire.Refusal(HandshakeReply.Busy, "busy; try again"));
                return;
            }
            if (step == Step.WrongCookie)
            {
                await stream.ReadExactlyAsync(new byte[RemoteWire.FirstFrameBytes], _stop.Token);
                await Say(RemoteWire.Refusal(HandshakeReply.WrongCookie, RemoteWire.FailureReason));
                return;
            }
            var login = await RemoteHandshake.AcceptAsync(stream, CookieKey.PreSharedKey(Cookie), new LoginProgress(client.Client, TimeProvider.System),
                () => client.Client.Shutdown(SocketShutdown.Send), _stop.Token);
            if (login.Channel is not { } channel) return;
            var reader = new StreamReader(channel, Encoding.UTF8);
            await channel.WriteAsync(Encoding.UTF8.GetBytes(ReplText.Greeting + " (scripted)\n" + ReplText.Prompt), _stop.Token);
            string line = await reader.ReadLineAsync(_stop.Token) ?? "";
            await channel.WriteAsync(Encoding.UTF8.GetBytes($"ran {line}\n" + ReplText.Prompt), _stop.Token);
            channel.CompleteWrites();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop.ContinueWith(_ => { }, TaskScheduler.Default);
            _stop.Dispose();
        }
    }

    private static async Task<(RemoteClientStatus Status, string Output, string Error, TimeSpan Took)> RunClientAsync(int port)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var clock = Stopwatch.StartNew();
        var status = await RemoteReplClient.RunAsync("127.0.0.1", port, () => Cookie, ["hlt"], TextReader.Null, output, error)
            .WaitAsync(TimeSpan.FromSeconds(60));
        return (status, output.ToString(), error.ToString(), clock.Elapsed);
    }

    [Fact]
    public async Task APushedOutLoginTriesAgainAndGetsIn()
    {
        await using var server = new ScriptedServer(Step.BusyAtOnce, Step.BusyAfterGreeting, Step.CloseAfterGreeting, Step.Login);
        var (status, output, error, _) = await RunClientAsync(server.Port);
        Assert.Equal(RemoteClientStatus.Ok, status);
        Assert.Equal("ran hlt\n", output);
        Assert.Equal("", error);
        Assert.Equal(4, server.Accepted);
    }

    [Fact]
    public async Task ARefusedCookieIsFinalAtOnceEvenAfterBusyAnswers()
    {
        await using var server = new ScriptedServer(Step.BusyAfterGreeting, Step.WrongCookie, Step.Login);
        var (status, _, error, _) = await RunClientAsync(server.Port);
        Assert.Equal(RemoteClientStatus.AuthenticationFailed, status);
        Assert.Contains("refused the cookie", error);
        Assert.Equal(2, server.Accepted);
    }

    [Fact]
    public async Task AServerThatStaysBusyIsGivenUpAfterTheLoginDeadline()
    {
        await using var server = new ScriptedServer(Step.BusyAfterGreeting);
        var (status, _, error, took) = await RunClientAsync(server.Port);
        Assert.Equal(RemoteClientStatus.ConnectionFailed, status);
        Assert.Contains("is busy", error);
        Assert.Contains($"gave up after {RemoteReplClient.DefaultLoginTimeout.TotalSeconds:0.#} s", error);
        Assert.True(took >= RemoteReplClient.DefaultLoginTimeout - TimeSpan.FromMilliseconds(100), $"gave up after {took}");
        Assert.True(server.Accepted >= 3, $"only {server.Accepted} tries");
    }
}
