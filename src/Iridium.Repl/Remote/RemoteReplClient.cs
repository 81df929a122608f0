using System.Net.Sockets;
using System.Text;
using Iridium.Net;

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
/// commands, runs an interactive session with the line editor on a terminal (<see cref="RemoteConsole"/>);
/// input that is not a terminal is sent line by line like commands, so a piped script prints only
/// its output, as the local REPL does. Connecting and the login are bounded by one deadline, as every
/// client command's answer is; text the server sends into an error line is escaped first.
/// </summary>
public static class RemoteReplClient
{
    /// <summary>What the other client commands wait for a node (their --timeout-ms default).</summary>
    public static readonly TimeSpan DefaultLoginTimeout = TimeSpan.FromSeconds(5);

    /// <param name="cookie">Called only when the server sends a challenge (the cookie may not exist otherwise).</param>
    /// <param name="console">The interactive front end, when the console is a terminal; used only without commands.</param>
    /// <param name="loginTimeout">Bounds connecting and the login together (default <see cref="DefaultLoginTimeout"/>).</param>
    /// <param name="isClusterPort">
    /// Asked when the server closed without a word: whether a cluster node listens there (it
    /// waits for its caller to speak, where the remote REPL greets at once, and drops a caller
    /// that stays silent after its short handshake deadline). Not asked once the login deadline
    /// has passed: that is all the time the command may take.
    /// </param>
    public static async Task<RemoteClientStatus> RunAsync(string host, int port, Func<byte[]> cookie, IReadOnlyList<string> commands,
        TextReader input, TextWriter output, TextWriter error, CancellationToken cancellation = default, RemoteConsole? console = null,
        TimeSpan? loginTimeout = null, Func<CancellationToken, Task<bool>>? isClusterPort = null)
    {
        var timeout = loginTimeout ?? DefaultLoginTimeout;
        string endpoint = $"{host}:{port}";
        using var client = new TcpClient { NoDelay = true };
        using var login = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        login.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(host, port, login.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            error.WriteLine($"iridium: cannot connect to {endpoint}: {(e is SocketException s ? s.Message : "no answer")}");
            return RemoteClientStatus.ConnectionFailed;
        }

        var stream = client.GetStream();
        var server = new ServerOutputReader(stream);
        string? first;
        try
        {
            first = await server.ReadLineAsync(login.Token).ConfigureAwait(false);
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
                await SendAsync(stream, RemoteAuth.Answer(first, secret)!, login.Token).ConfigureAwait(false);
                first = await server.ReadLineAsync(login.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            first = null;
        }
        if (first is null)
        {
            bool timedOut = login.IsCancellationRequested;
            if (!timedOut && !server.ReceivedAny && isClusterPort is not null && await isClusterPort(login.Token).ConfigureAwait(false))
            {
                error.WriteLine($"iridium: {endpoint} is a cluster port, not a remote REPL port (try 'iridium members {endpoint}')");
            }
            else
            {
                error.WriteLine(timedOut
                    ? $"iridium: {endpoint} did not answer within {timeout.TotalSeconds:0.#} s"
                    : $"iridium: {endpoint} closed the connection");
            }
            return RemoteClientStatus.ConnectionFailed;
        }
        if (first == RemoteAuth.FailureLine)
        {
            error.WriteLine($"iridium: {endpoint} refused the cookie (check --cookie-file / IRIDIUM_COOKIE)");
            return RemoteClientStatus.AuthenticationFailed;
        }
        if (!Engine.ReplText.IsBanner(first))
        {
            error.WriteLine($"iridium: {endpoint}: {UntrustedText.Escape(first)}");   // e.g. "too many sessions"
            return RemoteClientStatus.ConnectionFailed;
        }

        if (commands.Count > 0)
        {
            int next = 0;
            return await RunLinesAsync(stream, server, _ => ValueTask.FromResult(next < commands.Count ? commands[next++] : null),
                output, cancellation).ConfigureAwait(false);
        }
        if (console is null) return await RunLinesAsync(stream, server, input.ReadLineAsync, output, cancellation).ConfigureAwait(false);
        await console.RunAsync(stream, server, first, cancellation).ConfigureAwait(false);
        return RemoteClientStatus.Ok;
    }

    /// <summary>Sends each line once the server waits for one, printing the output in between without prompts.</summary>
    private static async Task<RemoteClientStatus> RunLinesAsync(NetworkStream stream, ServerOutputReader server,
        Func<CancellationToken, ValueTask<string?>> nextLine, TextWriter output, CancellationToken cancellation)
    {
        var (_, prompt) = await server.ReadUntilPromptAsync(cancellation).ConfigureAwait(false);
        while (prompt != ServerPrompt.Closed && await nextLine(cancellation).ConfigureAwait(false) is { } line)
        {
            await SendAsync(stream, line, cancellation).ConfigureAwait(false);
            (string text, prompt) = await server.ReadUntilPromptAsync(cancellation).ConfigureAwait(false);
            output.Write(text);
            output.Flush();
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
