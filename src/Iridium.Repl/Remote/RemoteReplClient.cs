using System.Net.Sockets;
using System.Text;

namespace Iridium.Repl.Remote;

/// <summary>How a client run ended.</summary>
public enum RemoteClientStatus
{
    Ok,
    ConnectionFailed,
    AuthenticationFailed,
}

/// <summary>
/// <c>iridium remote HOST:PORT [-c COMMAND]...</c>: connects, answers the challenge (<see cref="RemoteAuth"/>),
/// then either sends each command, printing its output without banner or prompts (for scripts; a
/// command that makes the server ask a question is answered by the next command), or, with no
/// commands, runs an interactive session: with the line editor on a terminal (<see cref="RemoteConsole"/>),
/// else relaying plain lines between the input and the server.
/// </summary>
public static class RemoteReplClient
{
    /// <param name="cookie">Called only when the server sends a challenge (the cookie may not exist otherwise).</param>
    /// <param name="console">The interactive front end, when the console is a terminal; used only without commands.</param>
    public static async Task<RemoteClientStatus> RunAsync(string host, int port, Func<byte[]> cookie, IReadOnlyList<string> commands,
        TextReader input, TextWriter output, TextWriter error, CancellationToken cancellation = default, RemoteConsole? console = null)
    {
        using var client = new TcpClient { NoDelay = true };
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(host, port, connectTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            error.WriteLine($"iridium: cannot connect to {host}:{port}: {(e is SocketException s ? s.Message : "timed out")}");
            return RemoteClientStatus.ConnectionFailed;
        }

        var stream = client.GetStream();
        var server = new ServerOutputReader(stream);
        string? first = await server.ReadLineAsync(cancellation).ConfigureAwait(false);
        if (first is not null && first.StartsWith(RemoteAuth.ChallengePrefix, StringComparison.Ordinal))
        {
            byte[] secret;
            try
            {
                secret = cookie();
            }
            catch (InvalidOperationException e)
            {
                error.WriteLine($"iridium: the server asks for the cookie: {e.Message}");
                return RemoteClientStatus.AuthenticationFailed;
            }
            await SendAsync(stream, RemoteAuth.Answer(first, secret)!, cancellation).ConfigureAwait(false);
            first = await server.ReadLineAsync(cancellation).ConfigureAwait(false);
        }
        if (first is null || first == RemoteAuth.FailureLine)
        {
            error.WriteLine(first is null
                ? $"iridium: {host}:{port} closed the connection"
                : $"iridium: {host}:{port} refused the cookie (check --cookie-file / IRIDIUM_COOKIE)");
            return first is null ? RemoteClientStatus.ConnectionFailed : RemoteClientStatus.AuthenticationFailed;
        }
        if (!Engine.ReplText.IsBanner(first))
        {
            error.WriteLine($"iridium: {host}:{port}: {first}");   // e.g. "too many sessions"
            return RemoteClientStatus.ConnectionFailed;
        }

        if (commands.Count > 0) return await RunCommandsAsync(stream, server, commands, output, cancellation).ConfigureAwait(false);
        if (console is null) return await RelayAsync(client, server, first, input, output, cancellation).ConfigureAwait(false);
        await console.RunAsync(stream, server, first, cancellation).ConfigureAwait(false);
        return RemoteClientStatus.Ok;
    }

    private static async Task<RemoteClientStatus> RunCommandsAsync(NetworkStream stream, ServerOutputReader server,
        IReadOnlyList<string> commands, TextWriter output, CancellationToken cancellation)
    {
        var (_, prompt) = await server.ReadUntilPromptAsync(cancellation).ConfigureAwait(false);
        foreach (var command in commands)
        {
            if (prompt == ServerPrompt.Closed) break;
            await SendAsync(stream, command, cancellation).ConfigureAwait(false);
            (string text, prompt) = await server.ReadUntilPromptAsync(cancellation).ConfigureAwait(false);
            output.Write(text);
            output.Flush();
        }
        return RemoteClientStatus.Ok;
    }

    /// <summary>Interactive: server text is shown as it arrives; console lines are sent as typed.</summary>
    private static async Task<RemoteClientStatus> RelayAsync(TcpClient client, ServerOutputReader server, string banner,
        TextReader input, TextWriter output, CancellationToken cancellation)
    {
        output.WriteLine(banner);
        var stream = client.GetStream();
        var fromServer = Task.Run(async () =>
        {
            while (await server.ReadAnyAsync(cancellation).ConfigureAwait(false) is { } text)
            {
                output.Write(text);
                output.Flush();
            }
        }, cancellation);
        var toServer = Task.Run(async () =>
        {
            while (await input.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
                await SendAsync(stream, line, cancellation).ConfigureAwait(false);
            client.Client.Shutdown(SocketShutdown.Send);   // end of input: the server ends the session
        }, cancellation);
        try
        {
            await Task.WhenAny(fromServer, toServer).ConfigureAwait(false);
            await fromServer.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        return RemoteClientStatus.Ok;
    }

    private static async Task SendAsync(NetworkStream stream, string line, CancellationToken cancellation)
    {
        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellation).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The server closed; the next read reports it.
        }
    }
}
