using System.Text;
using Iridium.Vm;

namespace Iridium.Repl.Terminal;

/// <summary>
/// The VM's <c>Output</c> stream for a REPL session: decodes PRTS bytes as UTF-8 and hands the text
/// to the terminal, so program output and REPL messages share one ordered channel (the original
/// wrote them to different places and their order was not guaranteed). It remembers whether the
/// last character was a newline so the engine can start its next message on a fresh line. With a
/// <paramref name="maxBytesPerCommand"/>, what one command prints past it is dropped, and the
/// user is told once (a remote session must not stream a gigabyte from one <c>!load_file</c>).
/// </summary>
internal sealed class TerminalOutputStream(IReplTerminal terminal, long? maxBytesPerCommand = null) : WriteOnlyStream
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private long _written;

    /// <summary>True when output was written since the last newline.</summary>
    public bool MidLine { get; private set; }

    /// <summary>Forgets the mid-line state (after the engine ended the line itself).</summary>
    public void MarkLineEnded() => MidLine = false;

    /// <summary>What the user reads when a command's output reached the cap.</summary>
    public static string CutMessage(long cap)
        => $"[output cut: this command printed more than {cap.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes, the session's output cap (--max-output-bytes); the rest is not shown]";

    /// <summary>A new command begins: its output starts counting from zero.</summary>
    public void StartCommand()
    {
        _written = 0;
        _decoder.Reset();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty) return;
        if (maxBytesPerCommand is { } cap)
        {
            long room = cap - _written;
            _written += buffer.Length;
            if (room <= 0) return;
            if (buffer.Length > room)
            {
                WriteText(buffer[..(int)room]);
                if (MidLine) terminal.Write("\n");
                MidLine = false;
                terminal.WriteLine(CutMessage(cap));
                return;
            }
        }
        WriteText(buffer);
    }

    private void WriteText(ReadOnlySpan<byte> buffer)
    {
        var chars = new char[_decoder.GetCharCount(buffer, flush: false)];
        int n = _decoder.GetChars(buffer, chars, flush: false);
        if (n == 0) return;
        terminal.Write(new string(chars, 0, n));
        MidLine = chars[n - 1] != '\n';
    }

    public override void Flush() { }
}
