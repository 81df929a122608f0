using System.Net.Sockets;
using Iridium.Repl.Console;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Remote;

/// <summary>
/// The interactive front end of <c>iridium remote</c>, the second front end of the console's line
/// editor: the same keys (arrows, Home/End, Ctrl-A/E/U/K/W/L, Ctrl-D), with its own history file per
/// server address. The server's prompts are drawn by the editor; Ctrl-C at a prompt abandons the
/// line being typed, and while a line runs it sends the session an interrupt
/// (<see cref="InterruptByteFilter.InterruptByte"/>) over the same encrypted connection, so
/// the remote program stops and the session goes on (<see cref="InterruptKey"/>).
/// </summary>
public sealed class RemoteConsole : IDisposable
{
    private readonly TextWriter _screen = System.Console.Out;
    private readonly LineEditor _editor;
    private readonly LineHistory _history;
    private readonly InterruptKey _ctrlC = new();
    private readonly Lock _sendGate = new();

    private RemoteConsole(string? historyPath)
    {
        _editor = new LineEditor(new ConsoleKeySource(), _screen);
        _history = new LineHistory(historyPath);
    }

    /// <summary>The interactive front end when stdin and stdout are a terminal; null otherwise (input is relayed plainly).</summary>
    /// <param name="historyPath">This server's history file, or null for none.</param>
    public static RemoteConsole? ForTerminal(string? historyPath)
        => System.Console.IsInputRedirected || System.Console.IsOutputRedirected ? null : new RemoteConsole(historyPath);

    /// <summary>Runs the session after the login, until the user leaves (Ctrl-D, <c>!quit</c>) or the server closes.</summary>
    internal async Task RunAsync(SealedStream stream, ServerOutputReader server, string bannerLine, CancellationToken cancellation)
    {
        _editor.WriteAbove([bannerLine]);
        var display = new ServerDisplay(_editor, _screen);
        var receiving = display.ReceiveAsync(server, cancellation);
        var prompt = await display.NextPromptAsync().ConfigureAwait(false);
        while (prompt != ServerPrompt.Closed)
        {
            if (ReadLine(prompt) is not { } line)
            {
                // Ctrl-D at the prompt leaves as !quit does, with the server's farewell; at a
                // question it ends the input (no answer), and the server ends the session.
                if (prompt != ServerPrompt.Command)
                {
                    Send(stream, null);
                    break;
                }
                line = "!quit";
            }
            using (_ctrlC.WhileRunning(() => Send(stream, [InterruptByteFilter.InterruptByte])))
            {
                display.LineSent();
                Send(stream, System.Text.Encoding.UTF8.GetBytes(line + "\n"));
                prompt = await display.NextPromptAsync().ConfigureAwait(false);
            }
        }
        await receiving.ConfigureAwait(false);
        _history.Compact();
    }

    /// <summary>The user's line at this prompt; null for Ctrl-D. Ctrl-C abandons the line typed so far and asks again.</summary>
    private string? ReadLine(ServerPrompt prompt)
    {
        bool command = prompt == ServerPrompt.Command;
        while (true)
        {
            var read = _editor.ReadLine(command ? ReplText.Prompt : ReplText.AnswerPrompt, command ? _history : null);
            if (read.Status == LineEditStatus.Cancelled) continue;
            if (read.Status == LineEditStatus.EndOfInput) return null;
            if (command) _history.Add(read.Text);
            return read.Text;
        }
    }

    /// <summary>Sends bytes (a line, an interrupt) or, for null, the (sealed) end of input; a closed connection shows up as the server closing.</summary>
    private void Send(SealedStream stream, byte[]? bytes)
    {
        lock (_sendGate)
        {
            try
            {
                if (bytes is null) stream.CompleteWrites();
                else stream.Write(bytes);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose() => _ctrlC.Dispose();
}
