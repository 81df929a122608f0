using System.Net.Sockets;
using System.Text;
using Iridium.Repl.Engine;
using Iridium.Repl.Remote;

namespace Iridium.Repl.Tests;

/// <summary>
/// A remote REPL session as a test drives it: the client's own handshake
/// (<see cref="RemoteHandshake"/>), then the text protocol over the sealed channel, one line or
/// one prompt at a time, with nothing of the client's front end in between.
/// </summary>
internal sealed class RemoteTestClient : IDisposable
{
    private readonly TcpClient _client;
    private readonly SealedStream _channel;
    private readonly ServerOutputReader _reader;

    private RemoteTestClient(TcpClient client, SealedStream channel)
    {
        _client = client;
        _channel = channel;
        _reader = new ServerOutputReader(channel);
    }

    /// <summary>Connects and runs the handshake; throws when it does not end keyed.</summary>
    public static async Task<RemoteTestClient> ConnectAsync(int port, byte[] cookie, int? timeoutSeconds = null)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port).WaitAsync(Timeout(timeoutSeconds));
        var dial = await RemoteHandshake.DialAsync(client.GetStream(), () => cookie, () => client.Client.Shutdown(SocketShutdown.Send), Timeout(timeoutSeconds));
        if (dial.Status != DialStatus.Keyed)
        {
            client.Dispose();
            throw new InvalidOperationException($"the handshake ended {dial.Status} {dial.Text}");
        }
        return new RemoteTestClient(client, dial.Channel!);
    }

    /// <summary>Connects, logs in and reads up to the first prompt (the banner and its hint).</summary>
    public static async Task<RemoteTestClient> LoginAsync(int port, byte[] cookie, int? timeoutSeconds = null)
    {
        var session = await ConnectAsync(port, cookie, timeoutSeconds);
        Assert.True(ReplText.IsBanner((await session.LineAsync())!));
        var (hint, prompt) = await session.UntilPromptAsync();
        Assert.EndsWith(ReplText.Hint + "\n", hint);
        Assert.Equal(ServerPrompt.Command, prompt);
        return session;
    }

    public Task<string?> LineAsync() => _reader.ReadLineAsync(Timeout());

    public Task<(string Output, ServerPrompt Prompt)> UntilPromptAsync() => _reader.ReadUntilPromptAsync(Timeout());

    public Task SendAsync(string text) => _channel.WriteAsync(Encoding.UTF8.GetBytes(text), Timeout()).AsTask();

    /// <summary>Sends a line and returns its output (the prompt after it removed).</summary>
    public async Task<string> RunAsync(string line)
    {
        await SendAsync(line + "\n");
        return (await UntilPromptAsync()).Output;
    }

    /// <summary>Why the server's output ended early, when a sealed frame did not open.</summary>
    public TamperedException? Tampering => _reader.Tampering;

    /// <summary>This end's address and port, as the server sees (and logs) the peer.</summary>
    public string LocalEndPoint => $"127.0.0.1:{((System.Net.IPEndPoint)_client.Client.LocalEndPoint!).Port}";

    // Generous: the first line a test process runs pays for compiling the interpreter, slow on a loaded machine.
    private static CancellationToken Timeout(int? seconds = null) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds ?? 30)).Token;

    public void Dispose() => _client.Dispose();
}
