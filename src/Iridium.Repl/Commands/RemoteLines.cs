using System.Text;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary>
/// Output of a program on another member, shown by the REPL line by line as it arrives (!exec,
/// !logs). Each newline ends a line; the text after the last one waits for the next chunk (or
/// <see cref="Finish"/>), but never more than <see cref="MaxLineChars"/> of it: a remote program
/// that prints without newlines must not grow the REPL without bound (`iridium exec` holds lines
/// back the same way).
/// </summary>
internal sealed class RemoteLines(ReplSession session)
{
    /// <summary>The longest line shown whole; a longer one is shown in pieces of this size.</summary>
    public const int MaxLineChars = 64 * 1024;

    private readonly StringBuilder _pending = new();

    public void Add(string text)
    {
        int start = 0;
        for (int newline; (newline = text.IndexOf('\n', start)) >= 0; start = newline + 1)
        {
            session.Say(_pending.Append(text, start, newline - start).ToString());
            _pending.Clear();
        }
        _pending.Append(text, start, text.Length - start);
        while (_pending.Length >= MaxLineChars)
        {
            session.Say(_pending.ToString(0, MaxLineChars));
            _pending.Remove(0, MaxLineChars);
        }
    }

    /// <summary>Shows what is left of an unfinished last line.</summary>
    public void Finish()
    {
        if (_pending.Length > 0) session.Say(_pending.ToString());
        _pending.Clear();
    }
}
