using System.Text;
using Iridium.Vm;

namespace Iridium.Repl.Terminal;

/// <summary>
/// Where the processes a session's VM SPAWNed print: they run on scheduler threads at any time,
/// also while the user types, so their lines reach the terminal as notices
/// (<see cref="IReplTerminal.Notify"/>), never as the current line's output. The group's output
/// hands over whole lines (docs/reference/runtime.md, processes) under its lock, so writes never
/// overlap; a partial line (a member ended mid-line) is shown as a line when flushed.
/// </summary>
internal sealed class NoticeOutputStream(IReplTerminal terminal) : WriteOnlyStream
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private readonly StringBuilder _partial = new();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var chars = new char[_decoder.GetCharCount(buffer, flush: false)];
        _partial.Append(chars, 0, _decoder.GetChars(buffer, chars, flush: false));
        string text = _partial.ToString();
        int lastNewline = text.LastIndexOf('\n');
        if (lastNewline < 0) return;
        _partial.Clear().Append(text, lastNewline + 1, text.Length - lastNewline - 1);
        terminal.Notify(text[..lastNewline].Split('\n'));
    }

    public override void Flush()
    {
        if (_partial.Length == 0) return;
        string line = _partial.ToString();
        _partial.Clear();
        terminal.Notify([line]);
    }
}
