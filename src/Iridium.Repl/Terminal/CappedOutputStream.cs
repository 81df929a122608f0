using Iridium.Vm;

namespace Iridium.Repl.Terminal;

/// <summary>Keeps the first <c>cap</c> bytes written and counts the rest as dropped (a <c>!spawn</c>ed VM's output, for its report).</summary>
internal sealed class CappedOutputStream(int cap) : WriteOnlyStream
{
    private readonly MemoryStream _kept = new();

    public bool Truncated { get; private set; }

    public string Text() => System.Text.Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int room = cap - (int)_kept.Length;
        if (buffer.Length > room) Truncated = true;
        _kept.Write(buffer[..Math.Min(room, buffer.Length)]);
    }

    public override void Flush() { }

    public override long Length => _kept.Length;

    public override long Position { get => _kept.Length; set => throw new NotSupportedException(); }
}
