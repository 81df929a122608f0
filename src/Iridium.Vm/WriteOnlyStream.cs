namespace Iridium.Vm;

/// <summary>
/// A stream that is only written to (a program's output on its way to a terminal, a group, an
/// exec stream): the one place for the members of <see cref="Stream"/> such a stream cannot
/// have, so each output stream says only how it writes and flushes.
/// </summary>
public abstract class WriteOnlyStream : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
