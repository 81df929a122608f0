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
/// <c>iridium remote HOST:PORT [-c COMMAND]...</c>: connects, logs in by the encrypted handshake
/// (<see cref="RemoteHandshake"/>, keyed by the cookie), then either sends each command, printing
/// its output without banner or prompts (for scripts; a command that makes the server ask a
/// question is answered by the next command), or, with no commands, runs an interactive session
/// with the line editor on a terminal (<see cref="RemoteConsole"/>); input that is not a terminal
/// is sent line by line like commands, so a piped script prints only its output, as the local
/// REPL does. Connecting and the login are bounded by one deadline, as every client command's
/// answer is; text the server sends into an error line is escaped first. A session whose sealed
/// frames stop opening (someone on the path altered them) ends with an error line.
/// </summary>
public static class RemoteReplClient
{
    /// <summary>What the other client commands wait for a node (their --timeout-ms default).</summary>
    public static readonly TimeSpan DefaultLoginTimeout = TimeSpan.FromSeconds(5);

    /// <param name="cookie">Called only when a remote REPL greets (the cookie may not exist otherwise).</param>
    /// <param name="console">The interactive front end, when the console is a terminal; used only without commands.</param>
    /// <param name="loginTimeout">
    /// Bounds connecting and the login together, tries again after a busy answer included (default
    /// <see cref="DefaultLoginTimeout"/>).
    /// </param>
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
        var login = await LoginAsync(host, port, cookie, error, loginTimeout ?? DefaultLoginTimeout, isClusterPort, cancellation).ConfigureAwait(false);
        if (login.Client is not { } client) return login.Status;
        using (client)
        {
            var channel = login.Channel!;
            var server = login.Server!;
            try
            {
                if (commands.Count > 0)
                {
                    int next = 0;
                    await RunLinesAsync(channel, server, _ => ValueTask.FromResult(next < commands.Count ? commands[next++] : null),
                        output, cancellation).ConfigureAwait(false);
                }
                else if (console is null) await RunLinesAsync(channel, server, input.ReadLineAsync, output, cancellation).ConfigureAwait(false);
                else await console.RunAsync(channel, server, login.Banner!, cancellation).ConfigureAwait(false);
            }
            finally
            {
                channel.CompleteWrites();
            }
            if (server.Tampering is { } tampering)
            {
                error.WriteLine($"iridium: {host}:{port}: the session was ended: {tampering.Message} (altered on the way)");
                return RemoteClientStatus.ConnectionFailed;
            }
            return RemoteClientStatus.Ok;
        }
    }

    /// <summary>A logged-in connection (with the banner read), or why there is none.</summary>
    private readonly record struct Login(RemoteClientStatus Status, TcpClient? Client = null, SealedStream? Channel = null, ServerOutputReader? Server = null, string? Banner = null);

    /// <summary>
    /// Connects and logs in within <paramref name="timeout"/>. A server that drops the connection
    /// before the login is decided (it says <see cref="RemoteWire.BusyLine"/> or answers busy, or
    /// closes or resets it after its greeting: strangers hold its login slots) is tried again
    /// after a short random pause, so that clients pushed out together do not come back together.
    /// A refused cookie is final at once, and so is a close without a word (no remote REPL greets
    /// like that).
    /// </summary>
    private static async Task<Login> LoginAsync(string host, int port, Func<byte[]> cookie, TextWriter error, TimeSpan timeout,
        Func<CancellationToken, Task<bool>>? isClusterPort, CancellationToken cancellation)
    {
        string endpoint = $"{host}:{port}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        byte[]? secret = null;
        string? busy = null;   // how the server last turned the login away, while it is tried again
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                client.Dispose();
                if (busy is not null) return GaveUp(error, endpoint, busy, timeout);
                error.WriteLine($"iridium: cannot connect to {endpoint}: {(e is SocketException s ? s.Message : "no answer")}");
                return new Login(RemoteClientStatus.ConnectionFailed);
            }

            DialResult dial;
            ServerOutputReader? server = null;
            string? first = null;
            try
            {
                dial = await RemoteHandshake.DialAsync(client.GetStream(), () => secret ??= cookie(), () => client.Client.Shutdown(SocketShutdown.Send), deadline.Token).ConfigureAwait(false);
                if (dial.Status == DialStatus.Keyed)
                {
                    // The first sealed line decides: the banner, or why there is no session.
                    server = new ServerOutputReader(dial.Channel!);
                    first = await server.ReadLineAsync(deadline.Token).ConfigureAwait(false);
                    if (first is null) dial = new DialResult(DialStatus.Dropped);
                }
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                dial = new DialResult(DialStatus.Dropped);
            }

            if (dial.Status == DialStatus.Keyed)
            {
                if (Engine.ReplText.IsBanner(first!)) return new Login(RemoteClientStatus.Ok, client, dial.Channel, server, first);
                client.Dispose();
                error.WriteLine($"iridium: {endpoint}: {UntrustedText.Escape(first!)}");   // e.g. "too many sessions"
                return new Login(RemoteClientStatus.ConnectionFailed);
            }
            client.Dispose();
            if (Final(dial, endpoint, error) is { } final) return new Login(final);
            if (deadline.IsCancellationRequested)
            {
                if (busy is not null) return GaveUp(error, endpoint, busy, timeout);
                error.WriteLine($"iridium: {endpoint} did not answer within {timeout.TotalSeconds:0.#} s");
                return new Login(RemoteClientStatus.ConnectionFailed);
            }
            if (dial.Status == DialStatus.Closed)
            {
                // Closed without a word: not a remote REPL turning a login away.
                if (isClusterPort is not null && await isClusterPort(deadline.Token).ConfigureAwait(false))
                    error.WriteLine($"iridium: {endpoint} is a cluster port, not a remote REPL port (try 'iridium members {endpoint}')");
                else
                    error.WriteLine($"iridium: {endpoint} closed the connection");
                return new Login(RemoteClientStatus.ConnectionFailed);
            }
            busy = dial.Status == DialStatus.Busy ? "is busy (strangers hold its login slots)" : "dropped the login before deciding it";
            try
            {
                await Task.Delay(pause * (0.5 + Random.Shared.NextDouble()), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                return GaveUp(error, endpoint, busy, timeout);
            }
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 500));
        }
    }

    /// <summary>The outcomes of a login attempt that no retry changes: said, and the status to end with; null for the others.</summary>
    private static RemoteClientStatus? Final(DialResult dial, string endpoint, TextWriter error)
    {
        switch (dial.Status)
        {
            case DialStatus.WrongCookie:
                error.WriteLine($"iridium: {endpoint} refused the cookie (check --cookie-file / IRIDIUM_COOKIE)");
                return RemoteClientStatus.AuthenticationFailed;
            case DialStatus.NoCookie:
                error.WriteLine($"iridium: the server asks for the cookie: {dial.Text}");
                return RemoteClientStatus.AuthenticationFailed;
            case DialStatus.Unproven:
                error.WriteLine($"iridium: {endpoint} did not prove it knows the cookie (another cluster's node, or someone in between)");
                return RemoteClientStatus.AuthenticationFailed;
            case DialStatus.OldServer:
                error.WriteLine($"iridium: {endpoint} runs an older iridium (remote REPL protocol 1, not encrypted); upgrade it to log in");
                return RemoteClientStatus.ConnectionFailed;
            case DialStatus.Foreign:
                error.WriteLine($"iridium: {endpoint}: {UntrustedText.Escape(dial.Text ?? "")}");
                return RemoteClientStatus.ConnectionFailed;
            default:
                return null;
        }
    }

    private static Login GaveUp(TextWriter error, string endpoint, string busy, TimeSpan timeout)
    {
        error.WriteLine($"iridium: {endpoint} {busy}; gave up after {timeout.TotalSeconds:0.#} s of tries");
        return new Login(RemoteClientStatus.ConnectionFailed);
    }

    /// <summary>Sends each line once the server waits for one, printing the output in between without prompts.</summary>
    private static async Task RunLinesAsync(Stream stream, ServerOutputReader server,
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
    }

    private static async Task SendAsync(Stream stream, string line, CancellationToken cancellation)
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
