using System.Text;

namespace Iridium.Repl.Terminal;

/// <summary>
/// The VM's <c>Output</c> stream for a REPL session: decodes PRTS bytes as UTF-8 and hands the text
/// to the terminal, so program output and REPL messages share one ordered channel (the original
/// wrote them to different places and their order was not guaranteed). It remembers whether the
/// last character was a newline so the engine can start its next message on a fresh line.
/// </summary>
internal sealed class TerminalOutputStream(IReplTerminal terminal) : Stream
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();

    /// <summary>True when output was written since the last newline.</summary>
    public bool MidLine { get; private set; }

    /// <summary>Forgets the mid-line state (after the engine ended the line itself).</summary>
    public void MarkLineEnded() => MidLine = false;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IsEmpty) return;
        var chars = new char[_decoder.GetCharCount(buffer, flush: false)];
        int n = _decoder.GetChars(buffer, chars, flush: false);
        if (n == 0) return;
        terminal.Write(new string(chars, 0, n));
        MidLine = chars[n - 1] != '\n';
    }

    public override void Flush() { }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
