using System.Buffers.Binary;
using System.Text;
using Iridium.Vm.Tests.Processes;

namespace Iridium.Vm.Tests.Store;

/// <summary>examples/store-counter.iasm against a store: it counts its runs, also when they race.</summary>
public class StoreCounterExampleTests
{
    private static readonly string Source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "programs", "examples", "store-counter.iasm"));

    [Fact]
    public void ThreeRunsPrint1Then2Then3()
    {
        var store = new FakeStore();
        var printed = Enumerable.Range(0, 3).Select(_ => RunOnce(store)).ToList();
        Assert.Equal(["1\n", "2\n", "3\n"], printed);
        Assert.Equal(3, Count(store));
    }

    [Fact]
    public void RunsThatRace_EachCountOnce()
    {
        // 20 copies at once on 2 scheduler threads: whichever KCAS loses a race retries, so every
        // run prints a count of its own and the last count is 20.
        var store = new FakeStore();
        using var run = new ProcessGroupRun(RacingCopies(20), new ProcessLimits { Schedulers = 2 }, store: store);
        string output = run.Output();
        Assert.Equal(Enumerable.Range(1, 20), output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order());
        Assert.Equal(20, Count(store));
    }

    [Fact]
    public void AValueThatIsNotACount_IsReported_NotOverwritten()
    {
        var store = new FakeStore();
        store.Set("store-counter", "hello");
        Assert.Equal("store-counter: the value under store-counter is not a 4-byte count\n", RunOnce(store));
        store.Set("store-counter", "hi");
        Assert.Equal("store-counter: the value under store-counter is not a 4-byte count\n", RunOnce(store));
        Assert.Equal("hi", store.Get("store-counter"));
    }

    [Fact]
    public void AnUnavailableStore_IsReported()
    {
        var store = new FakeStore { Unavailable = true };
        Assert.Equal("store-counter: the store is unavailable\n", RunOnce(store));
    }

    private static string RunOnce(FakeStore store)
    {
        using var run = new ProcessGroupRun(Source[Source.IndexOf(".data\n", StringComparison.Ordinal)..].Replace(".data\n", "", StringComparison.Ordinal), store: store);
        return run.Output();
    }

    /// <summary>A root that spawns <paramref name="copies"/> children, each running the example's code from its start.</summary>
    private static string RacingCopies(int copies)
    {
        string body = Source[Source.IndexOf(".data\n", StringComparison.Ordinal)..].Replace(".data\n", "", StringComparison.Ordinal);
        int code = body.IndexOf(".code\n", StringComparison.Ordinal) + ".code\n".Length;
        return body[..code] + $"""
                    load $31 @start
                    load $30 #{copies}
            spawner: load $29 #0
                    load $28 #-1        ; on this node
                    spawn $31 $29 $28
                    dec $30
                    gt $30 $29
                    djmpe @spawner
                    hlt
            start:
            """ + "\n" + body[code..];
    }

    private static int Count(FakeStore store)
        => BinaryPrimitives.ReadInt32LittleEndian(Encoding.Latin1.GetBytes(store.Get("store-counter")!));
}
