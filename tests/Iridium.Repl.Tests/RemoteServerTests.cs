using System.Net.Sockets;
using System.Text;
using Iridium.Repl.Engine;
using Iridium.Repl.Remote;
using Iridium.Vm;
using static Iridium.Repl.Tests.TestProcesses;

namespace Iridium.Repl.Tests;

/// <summary>The remote REPL over loopback: port 0, 127.0.0.1 only, every test stops its server.</summary>
public sealed class RemoteServerTests : IAsyncLifetime
{
    private static readonly byte[] Cookie = Encoding.UTF8.GetBytes("test-cookie");
    private readonly string _root = Directory.CreateTempSubdirectory("iridium-remote-test-").FullName;
    private RemoteReplServer _server = null!;

    private string ProgramDirectory => Path.Combine(_root, "programs");

    public Task InitializeAsync()
    {
        _server = Start(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, Cookie = Cookie, MaxSteps = 10_000, Processes = OneThread(), Version = "9.8.7" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static RemoteReplServer Start(RemoteServerOptions options)
    {
        var server = new RemoteReplServer(options);
        server.Start();
        return server;
    }

    /// <summary>A raw connection, as nc would have it.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly TcpClient _client = new();
        private ServerOutputReader _reader = null!;

        public static async Task<RawClient> ConnectAsync(int port)
        {
            var raw = new RawClient();
            await raw._client.ConnectAsync("127.0.0.1", port);
            raw._reader = new ServerOutputReader(raw._client.GetStream());
            return raw;
        }

        public Task<string?> LineAsync() => _reader.ReadLineAsync(Timeout());
        public Task<(string Output, ServerPrompt Prompt)> UntilPromptAsync() => _reader.ReadUntilPromptAsync(Timeout());
        public Task SendAsync(string text) => _client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(text), Timeout()).AsTask();

        /// <summary>Logs in with the cookie and reads up to the first prompt.</summary>
        public async Task LoginAsync(byte[] cookie)
        {
            string challenge = (await LineAsync())!;
            await SendAsync(RemoteAuth.Answer(challenge, cookie) + "\n");
            Assert.True(ReplText.IsBanner((await LineAsync())!));
            var (hint, prompt) = await UntilPromptAsync();
            Assert.EndsWith(ReplText.Hint + "\n", hint);
            Assert.Equal(ServerPrompt.Command, prompt);
        }

        /// <summary>Sends a line and returns its output (the prompt after it removed).</summary>
        public async Task<string> RunAsync(string line)
        {
            await SendAsync(line + "\n");
            return (await UntilPromptAsync()).Output;
        }

        // Generous: the first line a test process runs pays for compiling the interpreter, slow on a loaded machine.
        private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

        /// <summary>This end's address and port, as the server sees (and logs) the peer.</summary>
        public string LocalEndPoint => $"127.0.0.1:{((System.Net.IPEndPoint)_client.Client.LocalEndPoint!).Port}";

        public void Dispose() => _client.Dispose();
    }

    [Fact]
    public async Task ASession_GetsTheBannerAndAPromptAfterEachLine()
    {
        using var client = await RawClient.ConnectAsync(_server.Port);
        string challenge = (await client.LineAsync())!;
        await client.SendAsync(RemoteAuth.Answer(challenge, Cookie) + "\n");
        Assert.Equal(ReplText.Greeting, await client.LineAsync());
        Assert.Equal("iridium 9.8.7: " + ReplText.Hint, await client.LineAsync());
        Assert.Equal(ServerPrompt.Command, (await client.UntilPromptAsync()).Prompt);
        Assert.Equal("", await client.RunAsync("load $0 #42"));
        Assert.Contains("$0 = 42", await client.RunAsync("!registers"));
        Assert.Contains("VM stopped: code 0", await client.RunAsync("hlt"));
    }

    [Fact]
    public async Task ASessionIsAProcessOfTheHost_AndAKillEndsIt()
    {
        var runtime = OneThread();
        var server = Start(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, Cookie = Cookie, MaxSteps = 10_000, Processes = runtime, Version = "9.8.7" });
        await using var _s = server;
        using var client = await RawClient.ConnectAsync(server.Port);
        await client.LoginAsync(Cookie);
        var process = Assert.Single(runtime.List());
        Assert.True(process.IsDriven);
        Assert.Equal(ProcessRunState.Waiting, process.State);   // at the prompt: no thread, no steps

        Assert.True(runtime.Kill(process.Serial));   // `iridium kill`
        Assert.Equal(ServerPrompt.Closed, (await client.UntilPromptAsync()).Prompt);
        Assert.Equal(0, runtime.Count);
    }

    [Fact]
    public async Task ConcurrentSessions_AreIsolated_AndQuitEndsOnlyOne()
    {
        using var a = await RawClient.ConnectAsync(_server.Port);
        using var b = await RawClient.ConnectAsync(_server.Port);
        await Task.WhenAll(a.LoginAsync(Cookie), b.LoginAsync(Cookie));
        await Task.WhenAll(a.RunAsync("load $0 #1"), b.RunAsync("load $0 #2"));
        Assert.Contains("$0 = 1", await a.RunAsync("!registers"));
        Assert.Contains("$0 = 2", await b.RunAsync("!registers"));
        Assert.DoesNotContain("load $0 #2", await a.RunAsync("!history"));

        await a.SendAsync("!quit\n");
        var (farewell, closed) = await a.UntilPromptAsync();
        Assert.Contains(ReplText.Farewell, farewell);
        Assert.Equal(ServerPrompt.Closed, closed);
        Assert.Contains("$0 = 2", await b.RunAsync("!registers"));

        using var c = await RawClient.ConnectAsync(_server.Port);   // the server still accepts
        await c.LoginAsync(Cookie);
    }

    [Fact]
    public async Task ASuccessfulLogin_IsLogged_WithThePeerAddress()
    {
        var log = new StringWriter();
        var root = Directory.CreateTempSubdirectory("iridium-remote-log-test-").FullName;
        var server = Start(new RemoteServerOptions { ProgramDirectory = root, BindHost = "127.0.0.1", BindPort = 0, Cookie = Cookie, MaxSteps = 10_000, Processes = OneThread(), Version = "9.8.7", Log = TextWriter.Synchronized(log) });
        try
        {
            using var client = await RawClient.ConnectAsync(server.Port);
            await client.LoginAsync(Cookie);
            string local = client.LocalEndPoint;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!log.ToString().Contains($"remote session {local}: logged in") && DateTime.UtcNow < deadline) await Task.Delay(20);
            Assert.Contains($"remote session {local}: logged in", log.ToString());
        }
        finally
        {
            await server.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task AWrongCookie_IsRefusedAndTheConnectionClosed()
    {
        using var client = await RawClient.ConnectAsync(_server.Port);
        string challenge = (await client.LineAsync())!;
        Assert.StartsWith(RemoteAuth.ChallengePrefix, challenge);
        await client.SendAsync(RemoteAuth.Answer(challenge, Encoding.UTF8.GetBytes("wrong")) + "\n");
        Assert.Equal(RemoteAuth.FailureLine, await client.LineAsync());
        Assert.Null(await client.LineAsync());
    }

    [Fact]
    public async Task Garbage_InsteadOfAnAnswer_IsRefused()
    {
        using var client = await RawClient.ConnectAsync(_server.Port);
        await client.LineAsync();
        await client.SendAsync("!quit\n");
        Assert.Equal(RemoteAuth.FailureLine, await client.LineAsync());
    }

    [Fact]
    public async Task AnOversizeLine_ClosesThatSessionOnly()
    {
        using var other = await RawClient.ConnectAsync(_server.Port);
        await other.LoginAsync(Cookie);
        using var client = await RawClient.ConnectAsync(_server.Port);
        await client.LoginAsync(Cookie);
        await client.SendAsync(new string('x', 10_000) + "\n");
        var (output, prompt) = await client.UntilPromptAsync();
        Assert.Contains("line too long", output);
        Assert.Contains("4096", output);
        Assert.Equal(ServerPrompt.Closed, prompt);
        Assert.Contains("VM stopped", await other.RunAsync("hlt"));
    }

    [Fact]
    public async Task IdleSessions_AreClosed()
    {
        await using var server = Start(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, MaxSteps = 10_000, Cookie = Cookie, IdleTimeout = TimeSpan.FromMilliseconds(300) });
        using var client = await RawClient.ConnectAsync(server.Port);
        await client.LoginAsync(Cookie);
        var (output, prompt) = await client.UntilPromptAsync();
        Assert.Contains("idle for too long", output);
        Assert.Equal(ServerPrompt.Closed, prompt);
    }

    [Fact]
    public async Task SessionsBeyondTheLimit_AreToldAndClosed()
    {
        await using var server = Start(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, MaxSteps = 10_000, Cookie = Cookie, MaxSessions = 1 });
        using var first = await RawClient.ConnectAsync(server.Port);
        await first.LoginAsync(Cookie);
        using var second = await RawClient.ConnectAsync(server.Port);
        // Only a client that logged in is told: strangers never learn about, nor take, session slots.
        string challenge = (await second.LineAsync())!;
        await second.SendAsync(RemoteAuth.Answer(challenge, Cookie) + "\n");
        Assert.Contains("too many sessions", await second.LineAsync());
        Assert.Contains("VM stopped", await first.RunAsync("hlt"));
    }

    [Fact]
    public async Task RemoteCode_IsBoundedByTheStepBudget()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "loop.iasm"), ".data\n.code\neq $0 $0\ntop: djmpe @top\n");
        using var client = await RawClient.ConnectAsync(_server.Port);
        await client.LoginAsync(Cookie);
        Assert.Contains("STEPS", await client.RunAsync("!load_file loop.iasm"));
    }

    /// <summary>Sets $5 = 77, prints "spinning" and a newline, then loops for ever.</summary>
    private const string Spin = ".data\nmsg: .asciiz 'spinning'\n.code\nload $5 #77\nprts @msg\nload $6 #10\nprtc $6\neq $0 $0\ntop: djmpe @top\n";

    private RemoteReplServer StartUnbounded() => Start(new RemoteServerOptions
    {
        ProgramDirectory = ProgramDirectory,
        BindHost = "127.0.0.1",
        BindPort = 0,
        Cookie = Cookie,
        MaxSteps = long.MaxValue,
    });

    [Fact]
    public async Task AnInterrupt_StopsTheRunningProgram_AndTheSessionGoesOn()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "spin.iasm"), Spin);
        await using var server = StartUnbounded();
        using var client = await RawClient.ConnectAsync(server.Port);
        await client.LoginAsync(Cookie);
        await client.SendAsync("!load_file spin.iasm\n");
        Assert.StartsWith("loaded", await client.LineAsync());
        Assert.Equal("spinning", await client.LineAsync());   // the program runs now

        await client.SendAsync("\u0003");
        var (output, prompt) = await client.UntilPromptAsync();
        Assert.Matches(@"^interrupted at pc=\d+ \((DJMPE|EQ) ", output);
        Assert.Equal(ServerPrompt.Command, prompt);
        Assert.Contains("$5 = 77", await client.RunAsync("!registers"));
        Assert.Contains("top", await client.RunAsync("!symbols"));
    }

    [Fact]
    public async Task AnInterrupt_AppliesToTheLinesSentBeforeIt_AndNotToLaterOnes()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "spin.iasm"), Spin);
        File.WriteAllText(Path.Combine(ProgramDirectory, "ok.iasm"), ".data\n.code\nload $1 #5\nhlt\n");
        await using var server = StartUnbounded();
        using var client = await RawClient.ConnectAsync(server.Port);
        await client.LoginAsync(Cookie);

        // One write: the interrupt follows the line at once, so it may arrive before the run starts.
        await client.SendAsync("!load_file spin.iasm\n\u0003");
        Assert.Contains("interrupted at pc=", (await client.UntilPromptAsync()).Output);
        await client.SendAsync("\u0003!load_file ok.iasm\n");
        Assert.Contains("VM stopped: code 0 (HLT)", (await client.UntilPromptAsync()).Output);
        // Interrupt bytes are never part of a line, wherever they come.
        Assert.Equal("", await client.RunAsync("load $2 #\u00034\u00032"));
        Assert.Contains("$2 = 42", await client.RunAsync("!registers"));
    }

    [Fact]
    public async Task AnInterrupt_EndsAWaitingRecv_WhichHeldNoThread()
    {
        var runtime = OneThread();
        await using var server = Start(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, Cookie = Cookie, MaxSteps = 10_000, Processes = runtime });
        using var waiting = await RawClient.ConnectAsync(server.Port);
        await waiting.LoginAsync(Cookie);
        Assert.Equal("", await waiting.RunAsync("load $7 #-1"));
        Assert.Equal("", await waiting.RunAsync("load $8 #0"));
        await waiting.SendAsync("recv $9 $7 $8\n");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!runtime.List().Any(p => p is { State: ProcessRunState.Waiting, IsInRun: true }) && DateTime.UtcNow < deadline) await Task.Delay(10);

        // The one scheduler thread is free for another session meanwhile.
        using var other = await RawClient.ConnectAsync(server.Port);
        await other.LoginAsync(Cookie);
        Assert.Equal("3\n", await other.RunAsync("load $0 #3") + await other.RunAsync("prti $0"));

        await waiting.SendAsync("\u0003");
        var (output, prompt) = await waiting.UntilPromptAsync();
        Assert.Equal("interrupted at pc=12 (RECV $9 $7 $8)\n", output);
        Assert.Equal(ServerPrompt.Command, prompt);
        Assert.Contains("$7 = -1", await waiting.RunAsync("!registers"));
    }

    [Fact]
    public async Task ALineOfAProcessTheSessionSpawned_ComesAfterThePromptOnItsOwnLine()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "late.iasm"), """
            .data
            late:   .asciiz 'late line'
            .code
                    hlt
            child:  load $7 #200
                    load $8 #0
                    recv $9 $7 $8        ; nothing comes: wait 200 ms, then print
                    prts @late
                    load $1 #10
                    prtc $1
                    hlt
            """);
        var runtime = OneThread();
        await using var server = Start(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, Cookie = Cookie, MaxSteps = 10_000, Processes = runtime });
        using var client = await RawClient.ConnectAsync(server.Port);
        await client.LoginAsync(Cookie);
        Assert.Contains("VM stopped: code 0", await client.RunAsync("!load_file late.iasm"));
        Assert.Equal("", await client.RunAsync("load $4 @child"));
        Assert.Equal("", await client.RunAsync("load $6 #-1"));
        string spawned = await client.RunAsync("spawn $4 $0 $6");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (runtime.Count > 1 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(runtime.Count == 1, string.Join(",", runtime.List().Select(p => $"{p.Id} {p.State} {p.IsInRun} {p.Steps} {p.MailboxLength} {p.Parent}")) + $"[{spawned}]");   // the child has printed and ended

        // Printed while the session waited at the prompt (the usual case): a newline, its line,
        // and the next line's output; printed before the prompt came back (a slow machine): part
        // of the spawn's output. Either way the client stays in step with the prompts.
        string next = await client.RunAsync("prti $6");
        Assert.True((spawned, next) is ("", "\nlate line\n1\n") or ("late line\n", "1\n"), $"spawn: [{spawned}], next: [{next}]");
    }

    [Fact]
    public async Task AnInterrupt_AnswersAQuestionWithNothing()
    {
        using var client = await RawClient.ConnectAsync(_server.Port);
        await client.LoginAsync(Cookie);
        await client.SendAsync("!load_file\n");
        Assert.Equal(ServerPrompt.Answer, (await client.UntilPromptAsync()).Prompt);
        await client.SendAsync("\u0003");
        var (output, prompt) = await client.UntilPromptAsync();
        Assert.Contains("no path given", output);
        Assert.Equal(ServerPrompt.Command, prompt);
    }

    [Fact]
    public async Task EndingASession_KillsTheVmsItSpawned()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "spin.iasm"), Spin);
        var runtime = OneThread();
        await using var server = Start(new RemoteServerOptions
        {
            ProgramDirectory = ProgramDirectory,
            BindHost = "127.0.0.1",
            BindPort = 0,
            Cookie = Cookie,
            MaxSteps = long.MaxValue,
            Processes = runtime,
        });
        using (var client = await RawClient.ConnectAsync(server.Port))
        {
            await client.LoginAsync(Cookie);
            Assert.Contains("spawned vm", await client.RunAsync("!spawn spin.iasm"));
            Assert.Equal(2, runtime.Count);   // the session and the VM it spawned
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (runtime.Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(runtime.Count == 0, "the spawned VM outlived its session");
    }

    [Fact]
    public async Task RemoteFiles_AreReadOnlyUnderTheProgramDirectory()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "ok.iasm"), ".data\n.code\nload $1 #5\nhlt\n");
        File.WriteAllText(Path.Combine(_root, "secret.iasm"), "the cookie\n");
        File.CreateSymbolicLink(Path.Combine(ProgramDirectory, "link.iasm"), Path.Combine(_root, "secret.iasm"));
        Directory.CreateSymbolicLink(Path.Combine(ProgramDirectory, "up"), _root);
        using var client = await RawClient.ConnectAsync(_server.Port);
        await client.LoginAsync(Cookie);
        Assert.Contains("VM stopped: code 0", await client.RunAsync("!load_file ok.iasm"));
        foreach (var escape in new[] { "../secret.iasm", Path.Combine(_root, "secret.iasm"), "link.iasm", "up/secret.iasm", "sub/../../secret.iasm" })
        {
            string output = await client.RunAsync("!load_file " + escape);
            Assert.DoesNotContain("the cookie", output);
            Assert.Contains("cannot read", output);
        }
    }

    [Fact]
    public async Task PathPrompts_AreAnsweredByTheSession()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "ok.iasm"), ".data\n.code\nload $1 #5\nhlt\n");
        using var client = await RawClient.ConnectAsync(_server.Port);
        await client.LoginAsync(Cookie);
        await client.SendAsync("!load_file\n");
        var (question, prompt) = await client.UntilPromptAsync();
        Assert.Contains("Path of the program file:", question);
        Assert.Equal(ServerPrompt.Answer, prompt);
        Assert.Contains("VM stopped: code 0", await client.RunAsync("ok.iasm"));
        Assert.Contains("!load_file", await client.RunAsync("!history"));
    }

    [Fact]
    public async Task ClusterCommands_AreRefusedRemotely()
    {
        using var client = await RawClient.ConnectAsync(_server.Port);
        await client.LoginAsync(Cookie);
        Assert.Contains("not available in a remote session", await client.RunAsync("!start_cluster"));
    }

    [Fact]
    public async Task Spawn_ReportsToTheSessionThatSpawned()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "s.iasm"), ".data\n.code\nhlt\n");
        using var client = await RawClient.ConnectAsync(_server.Port);
        await client.LoginAsync(Cookie);
        // The report may come with the command's own output (a short VM) or after a later prompt.
        string report = await client.RunAsync("!spawn s.iasm");
        Assert.Contains("spawned vm", report);
        for (int i = 0; i < 100 && !report.Contains("GracefulStop{0}"); i++)
        {
            await Task.Delay(50);
            report += await client.RunAsync("");   // an empty line just brings the next prompt
        }
        Assert.Contains("VM Events", report);
    }

    [Fact]
    public void NonLoopbackWithoutACookie_IsRefusedAtStartup()
    {
        var server = new RemoteReplServer(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "0.0.0.0", BindPort = 0, MaxSteps = 10_000, Cookie = null });
        var error = Assert.Throws<InvalidOperationException>(server.Start);
        Assert.Contains("without a cookie", error.Message);
    }

    [Fact]
    public async Task LoopbackWithoutACookie_NeedsNoLogin()
    {
        await using var server = Start(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, MaxSteps = 10_000 });
        using var client = await RawClient.ConnectAsync(server.Port);
        Assert.Equal(ReplText.Banner(null)[0], await client.LineAsync());
    }

    [Fact]
    public async Task TheClient_RunsCommandsAndPrintsTheirOutput()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await RemoteReplClient.RunAsync("127.0.0.1", _server.Port, () => Cookie, ["load $2 #7", "!registers", "!quit"],
            TextReader.Null, output, error);
        Assert.Equal(RemoteClientStatus.Ok, status);
        Assert.Contains("$2 = 7", output.ToString());
        Assert.Contains(ReplText.Farewell, output.ToString());
        Assert.DoesNotContain(ReplText.Prompt, output.ToString());
    }

    [Fact]
    public async Task TheClient_WithAWrongCookie_FailsAuthentication()
    {
        var error = new StringWriter();
        var status = await RemoteReplClient.RunAsync("127.0.0.1", _server.Port, () => "nope"u8.ToArray(), ["hlt"], TextReader.Null, TextWriter.Null, error);
        Assert.Equal(RemoteClientStatus.AuthenticationFailed, status);
        Assert.Contains("refused the cookie", error.ToString());
    }
}
