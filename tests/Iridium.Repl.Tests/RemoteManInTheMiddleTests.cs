using System.Net.Sockets;
using System.Text;
using Iridium.Cluster.Tests.Support;
using Iridium.Repl.Remote;
using static Iridium.Repl.Tests.TestProcesses;

namespace Iridium.Repl.Tests;

/// <summary>
/// The remote REPL with a man in the middle (<see cref="TamperingProxy"/>, the cluster's, which
/// carries the greeting line and then whole frames): what a program prints and what the user
/// types never cross in clear, and a frame altered, replayed or injected either way ends the
/// session without running anything twice. Loopback only; every server and proxy is closed.
/// </summary>
public sealed class RemoteManInTheMiddleTests : IAsyncLifetime
{
    private const string Marker = "MARKER-5be0c2a7";
    private static readonly byte[] Cookie = Encoding.UTF8.GetBytes("mitm-cookie");
    private readonly string _root = Directory.CreateTempSubdirectory("iridium-remote-mitm-").FullName;
    private RemoteReplServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new RemoteReplServer(new RemoteServerOptions
        {
            ProgramDirectory = Path.Combine(_root, "programs"),
            BindHost = "127.0.0.1",
            BindPort = 0,
            Cookie = Cookie,
            MaxSteps = 10_000,
            Processes = OneThread(),
        });
        _server.Start();
        // The program lives on the server: the marker reaches the client only as program output.
        File.WriteAllText(Path.Combine(_root, "programs", "marker.iasm"), $".data\nm: .asciiz '{Marker}'\n.code\nprts @m\nhlt\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static async Task<(RemoteClientStatus Status, string Output, string Error)> RunAsync(int port, params string[] lines)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var status = await RemoteReplClient.RunAsync("127.0.0.1", port, () => Cookie, lines, TextReader.Null, output, error,
            loginTimeout: TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(60));
        return (status, output.ToString(), error.ToString());
    }

    private static int Count(string text, string what) => text.Split(what).Length - 1;

    [Fact]
    public async Task ProgramOutputTypedLinesAndTheCookieNeverCrossInClear()
    {
        await using var proxy = new TamperingProxy(_server.Port, greetingLine: true);
        var (status, output, error) = await RunAsync(proxy.Port, "!load_file marker.iasm", "load $3 #31337", "!registers");
        Assert.Equal(RemoteClientStatus.Ok, status);
        Assert.Equal("", error);
        Assert.Contains(Marker, output);
        Assert.Contains("$3 = 31337", output);
        Assert.False(proxy.Saw(Encoding.ASCII.GetBytes(Marker)), "the program's output crossed in clear");
        Assert.False(proxy.Saw("marker.iasm"u8.ToArray()), "a typed line crossed in clear");
        Assert.False(proxy.Saw("31337"u8.ToArray()), "a typed line crossed in clear");
        Assert.False(proxy.Saw("Welcome"u8.ToArray()), "the banner crossed in clear");
        Assert.False(proxy.Saw(Cookie), "the cookie crossed the wire");
        Assert.True(proxy.Saw(Encoding.ASCII.GetBytes(RemoteWire.Greeting)), "the proxy did not see the greeting: it saw nothing");
    }

    /// <summary>
    /// Frames to the server: 0 is the handshake, 1 the sealed login, 2 the first line. The line's
    /// frame altered or an injected one before it never opens, so nothing runs; replayed, it runs
    /// once and its copy does not open. Either way the server says why and ends the session.
    /// </summary>
    [Theory]
    [InlineData(Tampering.FlipBit, 0)]
    [InlineData(Tampering.Inject, 0)]
    [InlineData(Tampering.Replay, 1)]
    public async Task ATamperedLineEndsTheSessionAndNothingRunsTwice(Tampering tampering, int runs)
    {
        byte[] injected = [21, 0, 0, 0, .. Enumerable.Repeat((byte)0x5A, 21)];
        await using var proxy = new TamperingProxy(_server.Port, ProxyDirection.ToNode, frame: 2, tampering, injected, greetingLine: true);
        var (status, output, _) = await RunAsync(proxy.Port, "!load_file marker.iasm", "!registers");
        Assert.True(proxy.Tampered);
        Assert.Equal(RemoteClientStatus.Ok, status);   // the server ended the session, and said why
        Assert.Contains("the input was altered on the way", output);
        Assert.Equal(runs, Count(output, Marker));
        Assert.DoesNotContain("$0 =", output);   // the session ended before the next line
        await WaitUntil(() => _server.ActiveSessions == 0, "the session ends");
    }

    /// <summary>
    /// Frames from the server: 0 is the handshake's reply, 1 the banner, 2 the first line's
    /// output. One altered, or one injected before it, is never shown; a replayed copy ends the
    /// session after the original. Either way the client ends with an error line.
    /// </summary>
    [Theory]
    [InlineData(Tampering.FlipBit)]
    [InlineData(Tampering.Replay)]
    [InlineData(Tampering.Inject)]
    public async Task TamperedOutputEndsTheSessionAtTheClient(Tampering tampering)
    {
        byte[] injected = [21, 0, 0, 0, .. Enumerable.Repeat((byte)0x5A, 21)];
        await using var proxy = new TamperingProxy(_server.Port, ProxyDirection.FromNode, frame: 2, tampering, injected, greetingLine: true);
        var (status, output, error) = await RunAsync(proxy.Port, "!load_file marker.iasm");
        Assert.True(proxy.Tampered);
        Assert.Equal(RemoteClientStatus.ConnectionFailed, status);
        Assert.Contains("the session was ended", error);
        Assert.Contains("altered on the way", error);
        Assert.InRange(Count(output, Marker), 0, tampering == Tampering.Replay ? 1 : 0);
    }

    [Fact]
    public async Task AnAlteredHandshakeReplyIsNotTakenForTheServer()
    {
        await using var proxy = new TamperingProxy(_server.Port, ProxyDirection.FromNode, frame: 0, Tampering.FlipBit, greetingLine: true);
        var (status, _, error) = await RunAsync(proxy.Port, "hlt");
        Assert.Equal(RemoteClientStatus.AuthenticationFailed, status);
        Assert.Contains("did not prove it knows the cookie", error);
    }

    [Fact]
    public async Task AReplayedWholeSessionRunsNothing()
    {
        await using var proxy = new TamperingProxy(_server.Port, greetingLine: true);
        var (status, output, _) = await RunAsync(proxy.Port, "!load_file marker.iasm");
        Assert.Equal(RemoteClientStatus.Ok, status);
        Assert.Contains(Marker, output);
        byte[] recorded = proxy.FirstSessionToNode;

        // The client's bytes again, on a new connection: the server answers the replayed first
        // message (its tag checks), but the login frame was sealed with keys of the old session.
        using var replay = new TcpClient();
        await replay.ConnectAsync("127.0.0.1", _server.Port);
        var stream = replay.GetStream();
        var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
        var greeting = new byte[RemoteWire.Greeting.Length + 1];
        await stream.ReadExactlyAsync(greeting, timeout);
        await stream.WriteAsync(recorded, timeout);
        var answer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(answer, timeout);
        }
        catch (IOException)
        {
            // Reset: the server closed with the rest of the replay unread.
        }
        Assert.Equal((byte)HandshakeReply.Accept, answer.ToArray()[RemoteWire.HeaderBytes]);
        Assert.Equal(RemoteWire.HeaderBytes + 1 + 48, answer.Length);   // message 2 and the close: no banner, no output
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
