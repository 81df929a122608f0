using Iridium.Cluster.Protocol;
using Iridium.Store.Mesh;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Store.Tests.Mesh;

/// <summary>
/// Entries larger than a frame as parts, right or wrong (the bounds, timeouts and one-per-member rule
/// they share with snapshots are in <see cref="SnapshotPartsTests"/>).
/// </summary>
public sealed class EntryPartsTests
{
    private static readonly Guid Leader = Guid.NewGuid();

    private static StoreAppendEntries Batch(long callId, int entries, int payloadBytes) => new()
    {
        CallId = callId,
        Term = 4,
        PrevLogIndex = 100,
        PrevLogTerm = 3,
        CommitIndex = 99,
        StateVersion = 1,
        Entries = Enumerable.Range(0, entries)
            .Select(i => new StoreLogEntry { Term = 4, Payload = Enumerable.Repeat((byte)i, payloadBytes).ToArray() })
            .ToList(),
    };

    [Fact]
    public void A_batch_within_a_part_goes_as_it_is_and_a_larger_one_comes_back_whole_on_its_last_part()
    {
        var small = Batch(1, 3, 100);
        Assert.Same(small, Assert.Single(EntryParts.Split(small)));
        var heartbeat = Batch(2, 0, 0);
        Assert.Same(heartbeat, Assert.Single(EntryParts.Split(heartbeat)));

        var receiver = new EntryParts(new FakeTimeProvider());
        Assert.Same(small, receiver.Take(Leader, small));
        var large = Batch(3, 40, 20_000);
        var parts = EntryParts.Split(large).ToList();
        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.True(FrameCodec.ToFrame(p).Length < 64 * 1024, "a part fits the smallest frame cap"));
        foreach (var part in parts[..^1]) Assert.Null(receiver.Take(Leader, part));
        var whole = receiver.Take(Leader, parts[^1]);
        Assert.NotNull(whole);
        Assert.Equal(large.Entries!.Select(e => e.Payload![0]), whole.Entries!.Select(e => e.Payload![0]));
        Assert.Equal((large.Term, large.PrevLogIndex, large.CommitIndex, 0L, 0L), (whole.Term, whole.PrevLogIndex, whole.CommitIndex, whole.Offset, whole.Total));
        Assert.Equal(0, receiver.HeldBytes);
    }

    [Fact]
    public void An_entry_larger_than_a_part_travels_alone()
    {
        var parts = EntryParts.Split(Batch(1, 3, MessageParts<StoreAppendEntries>.PartBytes + 1)).ToList();
        Assert.Equal(new[] { 1, 1, 1 }, parts.Select(p => p.Entries!.Count));
        Assert.Equal(new[] { 0L, 1L, 2L }, parts.Select(p => p.Offset));
    }

    public static TheoryData<string> Hostile() => new(Mutations.Keys);

    /// <summary>The second part of a batch, changed; the first was taken.</summary>
    private static readonly Dictionary<string, Action<StoreAppendEntries>> Mutations = new()
    {
        ["out of order"] = p => p.Offset += 1,
        ["a total that changes"] = p => p.Total += 1,
        ["another previous entry mid-way"] = p => p.PrevLogIndex += 1,
        ["another commit index mid-way"] = p => p.CommitIndex += 1,
        ["another call mid-way"] = p => p.CallId += 1,
        ["no entries"] = p => p.Entries = [],
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_part_that_does_not_continue_the_batch_drops_it_and_is_counted(string mutation)
    {
        var receiver = new EntryParts(new FakeTimeProvider());
        var parts = EntryParts.Split(Batch(7, 40, 20_000)).ToList();
        Assert.Null(receiver.Take(Leader, parts[0]));
        Mutations[mutation](parts[1]);
        Assert.Null(receiver.Take(Leader, parts[1]));
        Assert.True(receiver.Dropped > 0);
        Assert.Equal(0, receiver.HeldBytes);
        // The rest of that batch goes nowhere: it no longer continues anything.
        Assert.All(parts[2..], p => Assert.Null(receiver.Take(Leader, p)));
    }
}
