using System.Text;

namespace Iridium.Repl.Terminal;

/// <summary>
/// A <see cref="TextWriter"/> that hands each complete line to <paramref name="writeLine"/>, for
/// code that logs to a writer (the remote REPL server) when the lines must go somewhere that is not
/// a stream: above the console's edited line, or into a logger. Safe to use from several threads;
/// one call's text is never interleaved with another's.
/// </summary>
public sealed class LineWriter(Action<string> writeLine) : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        List<string>? complete = null;
        lock (_gate)
        {
            foreach (char c in value)
            {
                if (c != '\n')
                {
                    _line.Append(c);
                    continue;
                }
                (complete ??= []).Add(_line.ToString().TrimEnd('\r'));
                _line.Clear();
            }
        }
        if (complete is null) return;
        foreach (var line in complete) writeLine(line);
    }

    public override void WriteLine(string? value) => Write((value ?? "") + "\n");
}
