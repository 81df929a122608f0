using System.Text;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Remote;

/// <summary>Which prompt ended a piece of server output.</summary>
public enum ServerPrompt
{
    /// <summary><c>&gt;&gt;&gt; </c>: the server waits for the next line.</summary>
    Command,
    /// <summary><c>... </c>: the server asked a question and waits for the answer.</summary>
    Answer,
    /// <summary>The server closed the connection.</summary>
    Closed,
}

/// <summary>
/// The client side of the line protocol: server text arrives in arbitrary chunks and a prompt is
/// not followed by a newline, so this reads until the text received so far ends in a prompt at the
/// start of a line (the server writes a prompt only when it waits for input).
/// </summary>
internal sealed class ServerOutputReader(Stream stream)
{
    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private readonly StringBuilder _pending = new();
    private readonly byte[] _bytes = new byte[4096];
    private readonly char[] _chars = new char[4097];

    /// <summary>Longest line <see cref="ReadLineAsync"/> waits for: the login's lines are short, and a server that never ends one must not fill our memory.</summary>
    public const int MaxLineChars = 4096;

    /// <summary>Why the output ended early when a sealed frame did not open (someone altered it on the way); null otherwise.</summary>
    public TamperedException? Tampering { get; private set; }

    /// <summary>
    /// One line (the banner, or why there is no session), or the first <see cref="MaxLineChars"/>
    /// characters of one that goes on; null when the server closed first.
    /// </summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellation)
    {
        while (true)
        {
            string text = _pending.ToString();
            int newline = text.IndexOf('\n');
            if (newline >= 0 || text.Length >= MaxLineChars)
            {
                int end = newline >= 0 ? newline : MaxLineChars;
                _pending.Remove(0, Math.Min(text.Length, end + 1));
                return text[..end].TrimEnd('\r');
            }
            if (!await FillAsync(cancellation).ConfigureAwait(false)) return null;
        }
    }

    /// <summary>The output up to the next prompt (prompt excluded), and which prompt it was.</summary>
    public async Task<(string Output, ServerPrompt Prompt)> ReadUntilPromptAsync(CancellationToken cancellation)
    {
        while (true)
        {
            string text = _pending.ToString();
            foreach (var (prompt, kind) in new[] { (ReplText.Prompt, ServerPrompt.Command), (ReplText.AnswerPrompt, ServerPrompt.Answer) })
            {
                if (text.EndsWith(prompt, StringComparison.Ordinal) && (text.Length == prompt.Length || text[^(prompt.Length + 1)] == '\n'))
                {
                    _pending.Clear();
                    return (text[..^prompt.Length], kind);
                }
                // A notice that came while the server waited at the prompt follows it after a
                // newline: the prompt ends this output, and the notice starts the next.
                int at = text.StartsWith(prompt + "\n", StringComparison.Ordinal) ? 0
                    : text.IndexOf("\n" + prompt + "\n", StringComparison.Ordinal) is >= 0 and var newline ? newline + 1 : -1;
                if (at >= 0)
                {
                    _pending.Remove(0, at + prompt.Length + 1);
                    return (text[..at], kind);
                }
            }
            if (!await FillAsync(cancellation).ConfigureAwait(false))
            {
                _pending.Clear();
                return (text, ServerPrompt.Closed);
            }
        }
    }

    /// <summary>Whatever has arrived, without waiting for a prompt (interactive mode echoes it as it comes).</summary>
    public async Task<string?> ReadAnyAsync(CancellationToken cancellation)
    {
        if (_pending.Length == 0 && !await FillAsync(cancellation).ConfigureAwait(false)) return null;
        string text = _pending.ToString();
        _pending.Clear();
        return text;
    }

    private async Task<bool> FillAsync(CancellationToken cancellation)
    {
        int read;
        try
        {
            read = await stream.ReadAsync(_bytes, cancellation).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // A close, a cut or a frame that does not open: the output ends here either way.
            if (e is TamperedException tampered) Tampering = tampered;
            read = 0;
        }
        if (read == 0) return false;
        int n = _decoder.GetChars(_bytes, 0, read, _chars, 0, flush: false);
        _pending.Append(_chars, 0, n);
        return true;
    }
}
