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
    /// <summary>How long connecting and logging in may take in all, tries again included; the client gives up (exit 69) after.</summary>
    public static readonly TimeSpan LoginDeadline = TimeSpan.FromSeconds(5);

    /// <param name="cookie">Called only when the server sends a challenge (the cookie may not exist otherwise).</param>
    /// <param name="console">The interactive front end, when the console is a terminal; used only without commands.</param>
    public static async Task<RemoteClientStatus> RunAsync(string host, int port, Func<byte[]> cookie, IReadOnlyList<string> commands,
        TextReader input, TextWriter output, TextWriter error, CancellationToken cancellation = default, RemoteConsole? console = null)
    {
        var login = await LoginAsync(host, port, cookie, error, cancellation).ConfigureAwait(false);
        if (login.Client is not { } client) return login.Status;
        using (client)
        {
            var stream = client.GetStream();
            if (commands.Count > 0) return await RunCommandsAsync(stream, login.Server!, commands, output, cancellation).ConfigureAwait(false);
            if (console is null) return await RelayAsync(client, login.Server!, login.Banner!, input, output, cancellation).ConfigureAwait(false);
            await console.RunAsync(stream, login.Server!, login.Banner!, cancellation).ConfigureAwait(false);
            return RemoteClientStatus.Ok;
        }
    }

    /// <summary>A logged-in connection (with the banner read), or why there is none.</summary>
    private readonly record struct Login(RemoteClientStatus Status, TcpClient? Client = null, ServerOutputReader? Server = null, string? Banner = null);

    /// <summary>
    /// Connects and logs in within <see cref="LoginDeadline"/>. A server that drops the connection
    /// before the login is decided (it says <see cref="RemoteAuth.BusyLine"/>, or just closes:
    /// strangers hold its login slots) is tried again after a short random pause, so that clients
    /// pushed out together do not come back together; a refused cookie is final at once.
    /// </summary>
    private static async Task<Login> LoginAsync(string host, int port, Func<byte[]> cookie, TextWriter error, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(LoginDeadline);
        byte[]? secret = null;
        string busy = "";
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
                var server = new ServerOutputReader(client.GetStream());
                string? first = await server.ReadLineAsync(deadline.Token).ConfigureAwait(false);
                if (first is not null && first.StartsWith(RemoteAuth.ChallengePrefix, StringComparison.Ordinal))
                {
                    try
                    {
                        secret ??= cookie();
                    }
                    catch (InvalidOperationException e)
                    {
                        error.WriteLine($"iridium: the server asks for the cookie: {e.Message}");
                        client.Dispose();
                        return new Login(RemoteClientStatus.AuthenticationFailed);
                    }
                    await SendAsync(client.GetStream(), RemoteAuth.Answer(first, secret)!, deadline.Token).ConfigureAwait(false);
                    first = await server.ReadLineAsync(deadline.Token).ConfigureAwait(false);
                }
                if (first == RemoteAuth.FailureLine)
                {
                    error.WriteLine($"iridium: {host}:{port} refused the cookie (check --cookie-file / IRIDIUM_COOKIE)");
                    client.Dispose();
                    return new Login(RemoteClientStatus.AuthenticationFailed);
                }
                if (first is not null && first != RemoteAuth.BusyLine)
                {
                    if (Engine.ReplText.IsBanner(first)) return new Login(RemoteClientStatus.Ok, client, server, first);
                    error.WriteLine($"iridium: {host}:{port}: {first}");   // e.g. "too many sessions"
                    client.Dispose();
                    return new Login(RemoteClientStatus.ConnectionFailed);
                }
                busy = first is null ? "closed the connection" : "is busy (dropped the connection before the login)";
            }
            catch (SocketException e) when (!deadline.IsCancellationRequested && e.SocketErrorCode != SocketError.ConnectionReset)
            {
                client.Dispose();
                error.WriteLine($"iridium: cannot connect to {host}:{port}: {e.Message}");
                return new Login(RemoteClientStatus.ConnectionFailed);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                // Reset (pushed out while the answer was on its way), or the deadline.
                busy = deadline.IsCancellationRequested ? busy : "reset the connection";
            }
            client.Dispose();
            if (cancellation.IsCancellationRequested) return new Login(RemoteClientStatus.ConnectionFailed);
            try
            {
                if (deadline.IsCancellationRequested) throw new OperationCanceledException();
                await Task.Delay(pause * (0.5 + Random.Shared.NextDouble()), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                error.WriteLine(busy.Length == 0
                    ? $"iridium: cannot log in to {host}:{port}: timed out after {LoginDeadline.TotalSeconds:0} s"
                    : $"iridium: {host}:{port} {busy}; gave up after {LoginDeadline.TotalSeconds:0} s of tries");
                return new Login(RemoteClientStatus.ConnectionFailed);
            }
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 500));
        }
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
