using System.Text;
using Iridium.Repl.Engine;
using Iridium.Repl.Terminal;

namespace Iridium.Repl.Remote;

/// <summary>
/// A remote session's terminal: every message is written followed by <c>\n</c>; questions are
/// written as a line followed by the <c>...</c> prompt and answered by the session's next line.
/// Notices (<see cref="Notify"/>: spawn reports, the lines of processes the session SPAWNed) are
/// written when they arrive, with no prompt after them, so a client that waits for
/// <c>&gt;&gt;&gt; </c> after each line it sends stays in step. One that arrives while the session
/// waits at a prompt starts with a newline: a prompt followed by a newline tells a client the
/// prompt ended the last line's output, and what follows belongs to the next.
/// Writes are synchronous under one lock (the socket has a send timeout, so a client that stops
/// reading cannot hold a thread for ever); a failed write marks the terminal broken.
/// </summary>
/// <param name="readAnswer">
/// Reads the session's next line; null when the token given to it (the asking line's interrupt)
/// fired first.
/// </param>
internal sealed class RemoteTerminal(Stream stream, Func<CancellationToken, Task<RemoteInput.Received?>> readAnswer) : IReplTerminal
{
    private readonly object _gate = new();
    private readonly StreamWriter _writer = new(stream, new UTF8Encoding(false), 4096, leaveOpen: true) { NewLine = "\n", AutoFlush = false };
    private bool _atPrompt;   // a prompt was the last thing written

    /// <summary>Why the session must end, once something went wrong while asking a question; null while fine.</summary>
    public string? CloseReason { get; private set; }

    public bool Broken { get; private set; }

    public void WriteLine(string line) => Guarded(() =>
    {
        _writer.Write(line + "\n");
        _atPrompt = false;
    });

    /// <summary>Program output, sent at each line end (as a terminal's stdout is), so a long run shows its progress.</summary>
    public void Write(string text) => Guarded(() =>
    {
        _writer.Write(text);
        _atPrompt = false;
        if (text.Contains('\n')) _writer.Flush();
    });

    public void Notify(IReadOnlyList<string> lines) => Guarded(() =>
    {
        if (_atPrompt) _writer.Write("\n");
        _atPrompt = false;
        foreach (var line in lines) _writer.Write(line + "\n");
        _writer.Flush();
    });

    /// <summary>Writes the prompt and sends everything buffered.</summary>
    public void Prompt(string prompt = ReplText.Prompt) => Guarded(() =>
    {
        _writer.Write(prompt);
        _atPrompt = true;
        _writer.Flush();
    });

    public void Flush() => Guarded(_writer.Flush);

    public async ValueTask<string?> AskAsync(string question, CancellationToken cancellation)
    {
        WriteLine(question);
        Prompt(ReplText.AnswerPrompt);
        if (await readAnswer(cancellation).ConfigureAwait(false) is not { } received) return null;   // interrupted
        if (received.Read.Status == LineReadStatus.Line) return received.Read.Text;
        CloseReason = RemoteSession.Describe(received.Read);
        return null;
    }

    private void Guarded(Action write)
    {
        lock (_gate)
        {
            if (Broken) return;
            try
            {
                write();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                Broken = true;
            }
        }
    }
}
