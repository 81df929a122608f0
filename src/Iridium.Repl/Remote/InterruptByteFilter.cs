namespace Iridium.Repl.Remote;

/// <summary>
/// The read side of a remote connection with the interrupt byte taken out. The byte is 0x03, what
/// a terminal sends for Ctrl-C, so <c>nc</c> users can send it too; it is never part of a valid
/// line (assembly and commands are printable text, and UTF-8 never uses it inside a character).
/// Bytes before an interrupt byte are handed out first, and the interrupt is signalled only when
/// the reader asks for more, so every line sent before the interrupt has been read by then: an
/// interrupt applies exactly to the lines sent before it.
/// </summary>
internal sealed class InterruptByteFilter(Stream inner, Action onInterrupt) : Stream
{
    public const byte InterruptByte = 0x03;

    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _count;

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty) return 0;
        while (true)
        {
            if (_count == 0)
            {
                _start = 0;
                _count = await inner.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (_count == 0) return 0;
            }
            var pending = _buffer.AsSpan(_start, _count);
            int interrupt = pending.IndexOf(InterruptByte);
            if (interrupt == 0)
            {
                _start++;
                _count--;
                onInterrupt();
                continue;
            }
            int n = Math.Min(interrupt < 0 ? _count : interrupt, destination.Length);
            pending[..n].CopyTo(destination.Span);
            _start += n;
            _count -= n;
            return n;
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override void Flush() { }
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
