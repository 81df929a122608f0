using Iridium.Cluster.Exec;
using Iridium.Cluster.Tests.Support;

namespace Iridium.Cluster.Tests.Exec;

/// <summary>A process's output stream on its own: chunking, the credit window, cancellation and chunk reuse.</summary>
public class ProcessOutputTests
{
    private sealed class Shipped
    {
        public List<byte[]> Chunks { get; } = [];

        public bool Ship(byte[] chunk)
        {
            Chunks.Add(chunk);
            return true;
        }
    }

    [Fact]
    public async Task OutputIsShippedInFullChunksInOrderAndTheRestWhenDrained()
    {
        var shipped = new Shipped();
        using var output = new ProcessOutput(window: 1000, chunkBytes: 4, shipped.Ship, () => { }, CancellationToken.None);
        for (byte b = 0; b < 10; b++) output.Write([b]);
        Assert.Equal(2, shipped.Chunks.Count);
        await output.DrainAsync();

        Assert.Equal([4, 4, 2], shipped.Chunks.Select(c => c.Length));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), shipped.Chunks.SelectMany(c => c));
        Assert.Equal(10, output.Shipped);
    }

    [Fact]
    public void ARecycledChunkIsFilledAgainInsteadOfANewOne()
    {
        var shipped = new Shipped();
        using var output = new ProcessOutput(window: 1000, chunkBytes: 4, shipped.Ship, () => { }, CancellationToken.None);
        output.Write([1, 2, 3, 4]);
        output.Write([5, 6, 7, 8]);
        Assert.NotSame(shipped.Chunks[0], shipped.Chunks[1]);
        byte[] first = shipped.Chunks[0];
        Assert.Equal([1, 2, 3, 4], first);

        output.Recycle(first);
        output.Write([9, 10, 11, 12]); // fills the buffer taken after the second chunk
        output.Write([13, 14, 15, 16]); // fills the recycled one
        Assert.Same(first, shipped.Chunks[3]);
        Assert.Equal([13, 14, 15, 16], first);
    }

    [Fact]
    public void AnArrayOfAnotherSizeIsNotTakenBack()
    {
        var shipped = new Shipped();
        using var output = new ProcessOutput(window: 1000, chunkBytes: 4, shipped.Ship, () => { }, CancellationToken.None);
        var foreign = new byte[3];
        output.Recycle(foreign);
        for (byte b = 0; b < 12; b++) output.Write([b]);
        Assert.DoesNotContain(shipped.Chunks, c => ReferenceEquals(c, foreign));
    }

    [Fact]
    public async Task AFullWindowHoldsTheWriterUntilCreditArrives()
    {
        var shipped = new Shipped();
        using var output = new ProcessOutput(window: 8, chunkBytes: 4, shipped.Ship, () => { }, CancellationToken.None);
        var writer = Task.Factory.StartNew(() => output.Write(new byte[12]), TaskCreationOptions.LongRunning);
        await Eventually.True(() => output.Shipped == 8, TimeSpan.FromSeconds(20), "the window's worth shipped");
        await Task.Delay(100);
        Assert.False(writer.IsCompleted);
        Assert.Equal(8, output.Shipped);

        output.Grant(4);
        await writer.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(12, output.Shipped);
    }

    [Fact]
    public async Task CancellingReleasesAWriterHeldByTheWindowAndDropsWhatFollows()
    {
        var shipped = new Shipped();
        using var cancel = new CancellationTokenSource();
        using var output = new ProcessOutput(window: 4, chunkBytes: 4, shipped.Ship, () => { }, cancel.Token);
        var writer = Task.Factory.StartNew(() => output.Write(new byte[12]), TaskCreationOptions.LongRunning);
        await Eventually.True(() => output.Shipped == 4, TimeSpan.FromSeconds(20), "the window's worth shipped");
        await Task.Delay(100);
        Assert.False(writer.IsCompleted);

        await cancel.CancelAsync();
        await writer.WaitAsync(TimeSpan.FromSeconds(20));
        output.Write(new byte[100]);
        Assert.Equal(4, output.Shipped);
    }
}
