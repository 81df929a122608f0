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

    [Fact]
    public async Task ASession_GetsTheBannerAndAPromptAfterEachLine()
    {
        using var client = await RemoteTestClient.ConnectAsync(_server.Port, Cookie);
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
        using var client = await RemoteTestClient.LoginAsync(server.Port, Cookie);
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
        var logins = await Task.WhenAll(RemoteTestClient.LoginAsync(_server.Port, Cookie), RemoteTestClient.LoginAsync(_server.Port, Cookie));
        using var a = logins[0];
        using var b = logins[1];
        await Task.WhenAll(a.RunAsync("load $0 #1"), b.RunAsync("load $0 #2"));
        Assert.Contains("$0 = 1", await a.RunAsync("!registers"));
        Assert.Contains("$0 = 2", await b.RunAsync("!registers"));
        Assert.DoesNotContain("load $0 #2", await a.RunAsync("!history"));

        await a.SendAsync("!quit\n");
        var (farewell, closed) = await a.UntilPromptAsync();
        Assert.Contains(ReplText.Farewell, farewell);
        Assert.Equal(ServerPrompt.Closed, closed);
        Assert.Contains("$0 = 2", await b.RunAsync("!registers"));

        using var c = await RemoteTestClient.LoginAsync(_server.Port, Cookie);   // the server still accepts
    }

    [Fact]
    public async Task ASuccessfulLogin_IsLogged_WithThePeerAddress()
    {
        var log = new StringWriter();
        var root = Directory.CreateTempSubdirectory("iridium-remote-log-test-").FullName;
        var server = Start(new RemoteServerOptions { ProgramDirectory = root, BindHost = "127.0.0.1", BindPort = 0, Cookie = Cookie, MaxSteps = 10_000, Processes = OneThread(), Version = "9.8.7", Log = TextWriter.Synchronized(log) });
        try
        {
            using var client = await RemoteTestClient.LoginAsync(server.Port, Cookie);
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

    /// <summary>The greeting line, then everything the server sends until it closes, after <paramref name="send"/> went out.</summary>
    private static async Task<(string Greeting, byte[] Reply)> RawExchangeAsync(int port, byte[] send)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
        var greeting = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, timeout) == 1 && one[0] != '\n') greeting.Add(one[0]);
        await stream.WriteAsync(send, timeout);
        var rest = new MemoryStream();
        await stream.CopyToAsync(rest, timeout);
        return (Encoding.UTF8.GetString(greeting.ToArray()), rest.ToArray());
    }

    [Fact]
    public async Task AWrongCookie_IsRefusedAtTheFirstHandshakeMessage_AndTheConnectionClosed()
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _server.Port);
        var dial = await RemoteHandshake.DialAsync(client.GetStream(), () => "wrong"u8.ToArray(), () => { }, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(DialStatus.WrongCookie, dial.Status);
        Assert.Equal(0, await client.GetStream().ReadAsync(new byte[16]));
    }

    [Fact]
    public async Task Garbage_InsteadOfTheHandshake_IsRefusedWithoutReadingIt()
    {
        var (greeting, rest) = await RawExchangeAsync(_server.Port, Encoding.ASCII.GetBytes("!quit\n"));
        Assert.Equal(RemoteWire.Greeting, greeting);
        // "!qui" read as a frame's length: refused on the length alone, nothing more is read.
        Assert.Equal((byte)HandshakeReply.Invalid, rest[RemoteWire.HeaderBytes]);
        Assert.Contains("not a remote REPL handshake", Encoding.UTF8.GetString(rest));
    }

    [Fact]
    public async Task AReplayedFirstMessage_GetsNoFurtherThanTheLogin()
    {
        // A client's first frame, recorded and sent again on a new connection: the server answers
        // it (a replay cannot be told from the original by its tag), but without the ephemeral key
        // behind it the replayer cannot seal the login, and gets nothing sealed from the server.
        byte[] recorded;
        using (var tap = new TcpClient())
        {
            await tap.ConnectAsync("127.0.0.1", _server.Port);
            var recording = new RecordingStream(tap.GetStream());
            var dial = await RemoteHandshake.DialAsync(recording, () => Cookie, () => { }, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.Equal(DialStatus.Keyed, dial.Status);
            recorded = recording.Written[..RemoteWire.FirstFrameBytes];
        }
        var replayed = recorded.Concat(RemoteWire.Frame(new byte[RemoteWire.LoginPayload.Length + 16])).ToArray();
        var (_, rest) = await RawExchangeAsync(_server.Port, replayed);
        Assert.Equal((byte)HandshakeReply.Accept, rest[RemoteWire.HeaderBytes]);
        Assert.Equal(RemoteWire.HeaderBytes + 1 + 48, rest.Length);   // message 2, then the close: no banner
    }

    /// <summary>Passes everything through, keeping a copy of what was written.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly MemoryStream _written = new();

        public byte[] Written => _written.ToArray();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _written.Write(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    [Fact]
    public async Task AnOversizeLine_ClosesThatSessionOnly()
    {
        using var other = await RemoteTestClient.LoginAsync(_server.Port, Cookie);
        using var client = await RemoteTestClient.LoginAsync(_server.Port, Cookie);
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
        using var client = await RemoteTestClient.LoginAsync(server.Port, Cookie);
        var (output, prompt) = await client.UntilPromptAsync();
        Assert.Contains("idle for too long", output);
        Assert.Equal(ServerPrompt.Closed, prompt);
    }

    [Fact]
    public async Task SessionsBeyondTheLimit_AreToldAndClosed()
    {
        await using var server = Start(new RemoteServerOptions { ProgramDirectory = ProgramDirectory, BindHost = "127.0.0.1", BindPort = 0, MaxSteps = 10_000, Cookie = Cookie, MaxSessions = 1 });
        using var first = await RemoteTestClient.LoginAsync(server.Port, Cookie);
        // Only a client that logged in is told: strangers never learn about, nor take, session slots.
        using var second = await RemoteTestClient.ConnectAsync(server.Port, Cookie);
        Assert.Contains("too many sessions", await second.LineAsync());
        Assert.Contains("VM stopped", await first.RunAsync("hlt"));
    }

    [Fact]
    public async Task RemoteCode_IsBoundedByTheStepBudget()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "loop.iasm"), ".data\n.code\neq $0 $0\ntop: djmpe @top\n");
        using var client = await RemoteTestClient.LoginAsync(_server.Port, Cookie);
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
        using var client = await RemoteTestClient.LoginAsync(server.Port, Cookie);
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
        using var client = await RemoteTestClient.LoginAsync(server.Port, Cookie);

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
        using var waiting = await RemoteTestClient.LoginAsync(server.Port, Cookie);
        Assert.Equal("", await waiting.RunAsync("load $7 #-1"));
        Assert.Equal("", await waiting.RunAsync("load $8 #0"));
        await waiting.SendAsync("recv $9 $7 $8\n");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!runtime.List().Any(p => p is { State: ProcessRunState.Waiting, IsInRun: true }) && DateTime.UtcNow < deadline) await Task.Delay(10);

        // The one scheduler thread is free for another session meanwhile.
        using var other = await RemoteTestClient.LoginAsync(server.Port, Cookie);
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
        using var client = await RemoteTestClient.LoginAsync(server.Port, Cookie);
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
        using var client = await RemoteTestClient.LoginAsync(_server.Port, Cookie);
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
        using (var client = await RemoteTestClient.LoginAsync(server.Port, Cookie))
        {
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
        using var client = await RemoteTestClient.LoginAsync(_server.Port, Cookie);
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
        using var client = await RemoteTestClient.LoginAsync(_server.Port, Cookie);
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
        using var client = await RemoteTestClient.LoginAsync(_server.Port, Cookie);
        Assert.Contains("not available in a remote session", await client.RunAsync("!start_cluster"));
    }

    [Fact]
    public async Task Spawn_ReportsToTheSessionThatSpawned()
    {
        File.WriteAllText(Path.Combine(ProgramDirectory, "s.iasm"), ".data\n.code\nhlt\n");
        using var client = await RemoteTestClient.LoginAsync(_server.Port, Cookie);
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
