using Iridium.Cli.Programs;

namespace Iridium.Cli.Tests;

/// <summary>
/// `iridium run`'s standard output: redirected, bytes go out in 64 KiB writes (and at the end);
/// on a terminal, at every newline. The buffer grows as the program prints, which must not change
/// when anything is written.
/// </summary>
public class RunOutputTests
{
    [Fact]
    public void RedirectedOutputIsWrittenOnlyWhenSixtyFourKibHaveGathered()
    {
        var inner = new CountingStream();
        var output = new RunOutput(inner, lineBuffered: false);
        var line = new byte[1000];
        Array.Fill(line, (byte)'x');
        line[^1] = (byte)'\n';
        int written = 0;
        while (written + line.Length <= RunOutput.Capacity)
        {
            output.Write(line);
            written += line.Length;
        }
        Assert.Equal(0, inner.Writes);

        output.Write(line);   // no longer fits: what was gathered goes out in one write
        Assert.Equal([written], inner.WriteSizes);

        output.Flush();
        Assert.Equal([written, line.Length], inner.WriteSizes);
        Assert.Equal(written + line.Length, inner.Bytes.Count);
        Assert.All(inner.Bytes, b => Assert.True(b is (byte)'x' or (byte)'\n'));
    }

    [Fact]
    public void BytesKeepTheirOrderAcrossTheBufferGrowing()
    {
        var inner = new CountingStream();
        var output = new RunOutput(inner, lineBuffered: false);
        var expected = new List<byte>();
        for (int i = 0; i < 3000; i++)
        {
            var piece = new byte[1 + i % 37];
            Array.Fill(piece, (byte)(i % 251));
            output.Write(piece);
            expected.AddRange(piece);
        }
        output.Flush();
        Assert.Equal(expected, inner.Bytes);
        Assert.All(inner.WriteSizes.SkipLast(1), size => Assert.True(size > RunOutput.Capacity - 37, $"a write of {size} bytes"));
    }

    [Fact]
    public void OnATerminalEveryLineIsWrittenWhenItEnds()
    {
        var inner = new CountingStream();
        var output = new RunOutput(inner, lineBuffered: true);
        output.Write("no newline yet"u8);
        Assert.Equal(0, inner.Writes);
        output.Write(", now\n"u8);
        Assert.Equal("no newline yet, now\n"u8.ToArray(), inner.Bytes);
    }

    [Fact]
    public void AWriteOfSixtyFourKibOrMoreGoesStraightThroughAfterWhatWasGathered()
    {
        var inner = new CountingStream();
        var output = new RunOutput(inner, lineBuffered: false);
        output.Write("head"u8);
        output.Write(new byte[RunOutput.Capacity + 1]);
        Assert.Equal([4, RunOutput.Capacity + 1], inner.WriteSizes);
    }

    [Fact]
    public void BeforeWriteIsCalledBeforeEveryWriteAndOnlyThen()
    {
        var inner = new CountingStream();
        var output = new RunOutput(inner, lineBuffered: true);
        var writesSeenByTheCall = new List<int>();
        output.BeforeWrite = () => writesSeenByTheCall.Add(inner.Writes);
        output.Write("gathered, "u8);
        output.Flush();
        Assert.Equal([0], writesSeenByTheCall);   // before the one write, not for the gathering
        output.Write("a line\n"u8);
        output.Write(new byte[RunOutput.Capacity]);
        Assert.Equal([0, 1, 2], writesSeenByTheCall);
        output.Flush();   // nothing gathered: no write, no call
        Assert.Equal(3, inner.Writes);
        Assert.Equal(3, writesSeenByTheCall.Count);
    }

    private sealed class CountingStream : Stream
    {
        public List<int> WriteSizes { get; } = [];
        public List<byte> Bytes { get; } = [];
        public int Writes => WriteSizes.Count;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Bytes.Count;
        public override long Position { get => Bytes.Count; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            WriteSizes.Add(buffer.Length);
            Bytes.AddRange(buffer.ToArray());
        }
    }
}
