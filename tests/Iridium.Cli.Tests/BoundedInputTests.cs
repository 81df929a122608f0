using System.Text;
using Iridium.Files;

namespace Iridium.Cli.Tests;

/// <summary>The one reader of input files: bounded while reading, whatever the file says its size is, and never blocked for ever.</summary>
public class BoundedInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AFileUpToTheCapIsReadAndOneByteMoreIsRefused()
    {
        string exact = _dir.File("exact", new string('x', 100));
        Assert.Equal(100, BoundedInput.ReadAllBytes(exact, 100).Length);
        string over = _dir.File("over", new string('x', 101));
        Assert.Equal("larger than 100 bytes", Assert.Throws<InputFileException>(() => BoundedInput.ReadAllBytes(over, 100)).Message);
        Assert.Equal("", BoundedInput.ReadAllText(_dir.File("empty", ""), 100));
    }

    [Fact]
    public void TextLosesItsByteOrderMark()
        => Assert.Equal("a = 1", BoundedInput.ReadAllText(_dir.File("bom", "\uFEFFa = 1"), 100));

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void ADeviceThatReportsLengthZeroIsStillBounded()
    {
        // /dev/zero reports length 0 and never ends: the cap holds while reading.
        Assert.Equal("larger than 4096 bytes", Assert.Throws<InputFileException>(() => BoundedInput.ReadAllBytes("/dev/zero", 4096)).Message);
        string link = Path.Combine(_dir.Path, "zero.iasm");
        File.CreateSymbolicLink(link, "/dev/zero");
        Assert.Equal("larger than 4096 bytes", Assert.Throws<InputFileException>(() => BoundedInput.ReadAllBytes(link, 4096)).Message);
    }

    [Fact]
    public void AStreamWithoutEndIsCutAtTheCap()
    {
        // `yes nop | iridium run -`.
        using var endless = new EndlessStream(Encoding.ASCII.GetBytes("nop\n"));
        Assert.Equal("larger than 65536 bytes", Assert.Throws<InputFileException>(() => BoundedInput.ReadAllBytes(endless, 65536)).Message);
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void AFifoWithNoWriterGivesUpAfterTheWait()
    {
        string fifo = Path.Combine(_dir.Path, "node.toml");
        CliRunner.MakeFifo(fifo);
        var e = Assert.Throws<InputFileException>(() => BoundedInput.ReadAllBytes(fifo, 100, TimeSpan.FromMilliseconds(200)));
        Assert.StartsWith("nothing to read after 0.2 s", e.Message);
        // The abandoned reader is still in open(2): a writer releases it.
        using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AFifoWithAWriterIsRead()
    {
        string fifo = Path.Combine(_dir.Path, "fed");
        CliRunner.MakeFifo(fifo);
        var writer = Task.Run(() =>
        {
            using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            pipe.Write("hello"u8);
        });
        Assert.Equal("hello", BoundedInput.ReadAllText(fifo, 100, TimeSpan.FromSeconds(30)));
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void MissingFilesAndDirectoriesAreNamedAsSuch()
    {
        Assert.Equal("no such file", Assert.Throws<InputFileException>(() => BoundedInput.ReadAllBytes(Path.Combine(_dir.Path, "none"), 10)).Message);
        Assert.Equal("no such directory", Assert.Throws<InputFileException>(() => BoundedInput.ReadAllBytes(Path.Combine(_dir.Path, "no", "file"), 10)).Message);
        Assert.Equal("is a directory", Assert.Throws<InputFileException>(() => BoundedInput.ReadAllBytes(_dir.Path, 10)).Message);
    }

    /// <summary>Repeats its bytes for ever, as <c>yes</c> does.</summary>
    internal sealed class EndlessStream(byte[] pattern) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++) buffer[offset + i] = pattern[(int)(_position++ % pattern.Length)];
            return count;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
