using System.Text;
using Iridium.Repl.Console;
using Iridium.Repl.Remote;

namespace Iridium.Repl.Tests;

/// <summary>How the interactive remote client shows server output and finds the prompts in it.</summary>
public class ServerDisplayTests
{
    /// <summary>A server connection that hands out the given chunks, one per read, and waits for a release between them.</summary>
    private sealed class Chunks(params string[] chunks) : Stream
    {
        private readonly Queue<byte[]> _chunks = new(chunks.Select(Encoding.UTF8.GetBytes));
        private readonly SemaphoreSlim _released = new(0);

        /// <summary>Lets the display read the next chunk.</summary>
        public void Release() => _released.Release();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _released.WaitAsync(cancellationToken);
            if (_chunks.Count == 0) return 0;
            var chunk = _chunks.Dequeue();
            chunk.CopyTo(buffer);
            return chunk.Length;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class NoKeys : IKeySource
    {
        public ConsoleKeyInfo? ReadKey() => null;
        public int Width => 80;
    }

    /// <summary>Lets <paramref name="chunks"/> more reads happen, then waits (10 s at most) until the screen shows <paramref name="expected"/>.</summary>
    /// <summary>The screen, written by the display's thread and read by the test's.</summary>
    private sealed class LockedScreen : StringWriter
    {
        public override void Write(char value) { lock (this) base.Write(value); }
        public override void Write(string? value) { lock (this) base.Write(value); }
        public override string ToString() { lock (this) return base.ToString(); }
    }

    private static async Task AssertShown(string expected, Chunks server, LockedScreen screen, int chunks)
    {
        for (int i = 0; i < chunks; i++) server.Release();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (screen.ToString() != expected && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(expected, screen.ToString());
    }

    [Fact]
    public async Task APromptSplitOverReads_IsFound_AndLeftToTheEditorToDraw()
    {
        var screen = new LockedScreen();
        var display = new ServerDisplay(new LineEditor(new NoKeys(), screen), screen);
        var server = new Chunks("hello\n>", ">> ", "spinning\nhalf a li", "ne\ninterrupted at pc=9\n>>> ");
        var receiving = display.ReceiveAsync(new ServerOutputReader(server), CancellationToken.None);

        server.Release();
        server.Release();
        Assert.Equal(ServerPrompt.Command, await display.NextPromptAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("hello\n", screen.ToString());

        display.LineSent();
        // While a line runs, output shows as it comes, unfinished lines included.
        await AssertShown("hello\nspinning\nhalf a li", server, screen, 1);
        server.Release();
        Assert.Equal(ServerPrompt.Command, await display.NextPromptAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("hello\nspinning\nhalf a line\ninterrupted at pc=9\n", screen.ToString());

        server.Release();   // the server closes
        Assert.Equal(ServerPrompt.Closed, await display.NextPromptAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await receiving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AtAPrompt_AReportIsShown_ButAnUnfinishedLineWaitsForItsEnd()
    {
        var screen = new LockedScreen();
        var display = new ServerDisplay(new LineEditor(new NoKeys(), screen), screen);
        var server = new Chunks("... ", "vm 1 finished\npartial", " line\n");
        _ = display.ReceiveAsync(new ServerOutputReader(server), CancellationToken.None);
        server.Release();
        Assert.Equal(ServerPrompt.Answer, await display.NextPromptAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await AssertShown("vm 1 finished\n", server, screen, 1);
        await AssertShown("vm 1 finished\npartial line\n", server, screen, 1);
    }
}
