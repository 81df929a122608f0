using System.Text;
using System.Threading.Channels;
using Iridium.Repl.Console;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Remote;

/// <summary>
/// Shows a remote session's output on the console as it arrives and tells the interactive client
/// when the server waits at a prompt. The prompt itself is not printed: the line editor draws it.
/// Whole lines go through <see cref="LineEditor.WriteAbove"/>, so a spawn report that arrives
/// while the user types is printed above the edited line; the unfinished tail of a line (a program
/// printing progress) is shown at once while a line runs, and held while the user types.
/// </summary>
internal sealed class ServerDisplay(LineEditor editor, TextWriter screen)
{
    private static readonly (string Text, ServerPrompt Kind)[] Prompts =
        [(ReplText.Prompt, ServerPrompt.Command), (ReplText.AnswerPrompt, ServerPrompt.Answer)];

    private readonly Channel<ServerPrompt> _prompts = Channel.CreateUnbounded<ServerPrompt>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StringBuilder _tail = new();   // received after the last newline, not shown yet
    private readonly Lock _gate = new();
    private bool _midLine;      // part of a line is on the screen already
    private bool _atPrompt;     // the server waits for a line; the editor owns the screen's last line

    /// <summary>Reads the server's output until it closes; then <see cref="NextPromptAsync"/> answers Closed.</summary>
    public async Task ReceiveAsync(ServerOutputReader server, CancellationToken cancellation)
    {
        try
        {
            while (await server.ReadAnyAsync(cancellation).ConfigureAwait(false) is { } text) Show(text);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                if (_tail.Length > 0) editor.WriteAbove([_tail.ToString()]);
                _tail.Clear();
            }
            _prompts.Writer.TryWrite(ServerPrompt.Closed);
        }
    }

    /// <summary>Waits until the server shows a prompt (or closes).</summary>
    public async Task<ServerPrompt> NextPromptAsync()
    {
        try
        {
            return await _prompts.Reader.ReadAsync().ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return ServerPrompt.Closed;
        }
    }

    /// <summary>The user sent a line: output belongs to the screen again until the next prompt.</summary>
    public void LineSent()
    {
        lock (_gate) _atPrompt = false;
    }

    private void Show(string text)
    {
        lock (_gate)
        {
            _tail.Append(text);
            string pending = _tail.ToString();
            int end = pending.LastIndexOf('\n');
            if (end >= 0)
            {
                var lines = pending[..end].Split('\n');
                if (_midLine && !_atPrompt)
                {
                    // The first line's start is on the screen already: finish that line in place.
                    editor.Locked(() => screen.Write(lines[0] + "\n"));
                    lines = lines[1..];
                }
                editor.WriteAbove(lines.Select(l => l.TrimEnd('\r')));
                _midLine = false;
                _tail.Clear().Append(pending[(end + 1)..]);
                pending = _tail.ToString();
            }
            if (_midLine || pending.Length == 0) { ShowTail(); return; }
            foreach (var (prompt, kind) in Prompts)
            {
                if (pending == prompt)
                {
                    _tail.Clear();
                    _atPrompt = true;
                    _prompts.Writer.TryWrite(kind);
                    return;
                }
                if (prompt.StartsWith(pending, StringComparison.Ordinal)) return;   // perhaps a prompt: wait for the rest
            }
            ShowTail();
        }
    }

    /// <summary>Shows the unfinished line now, unless the user is typing (then it waits for its newline).</summary>
    private void ShowTail()
    {
        if (_atPrompt || _tail.Length == 0) return;
        string tail = _tail.ToString();
        _tail.Clear();
        editor.Locked(() => screen.Write(tail));
        screen.Flush();
        _midLine = true;
    }
}
