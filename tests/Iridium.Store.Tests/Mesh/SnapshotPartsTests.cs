using Iridium.Cluster.Protocol;
using Iridium.Store.Mesh;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Store.Tests.Mesh;

/// <summary>
/// Snapshot parts as an authenticated member may send them, right or wrong: what the receiver holds
/// stays bounded, anything that does not continue a snapshot is dropped and counted, and nothing
/// half-received is handed on.
/// </summary>
public sealed class SnapshotPartsTests
{
    private static readonly Guid Leader = Guid.NewGuid();
    private static readonly Guid Other = Guid.NewGuid();

    private static StoreInstallSnapshot Whole(long callId, int bytes)
    {
        var snapshot = new byte[bytes];
        for (var i = 0; i < bytes; i++) snapshot[i] = (byte)(i * 7);
        return new StoreInstallSnapshot
        {
            CallId = callId,
            Term = 3,
            SnapshotIndex = 90,
            SnapshotTerm = 2,
            StateVersion = 1,
            Snapshot = snapshot,
            Configuration = [1, 0, 0, 0, 0x61],
            ConfigurationVersion = 1,
        };
    }

    private static List<StoreInstallSnapshot> Parts(long callId, int bytes) => SnapshotParts.Split(Whole(callId, bytes)).ToList();

    [Fact]
    public void A_snapshot_split_into_parts_within_a_frame_comes_back_whole_on_its_last_part()
    {
        var receiver = new SnapshotParts(new FakeTimeProvider());
        var whole = Whole(5, 3 * SnapshotParts.PartBytes + 100);
        var parts = SnapshotParts.Split(whole).ToList();
        Assert.Equal(4, parts.Count);
        Assert.All(parts, p => Assert.True(FrameCodec.ToFrame(p).Length < 64 * 1024, "a part fits the smallest frame cap"));
        foreach (var part in parts[..^1]) Assert.Null(receiver.Take(Leader, part));
        Assert.Equal(3 * SnapshotParts.PartBytes, receiver.HeldBytes);
        var done = receiver.Take(Leader, parts[^1]);
        Assert.NotNull(done);
        Assert.Equal(whole.Snapshot, done.Snapshot);
        Assert.Equal((whole.CallId, whole.Term, whole.SnapshotIndex, whole.SnapshotTerm), (done.CallId, done.Term, done.SnapshotIndex, done.SnapshotTerm));
        Assert.Equal(0, receiver.HeldBytes);
        Assert.Equal(0, receiver.Dropped);
    }

    [Fact]
    public void A_small_snapshot_is_one_part_and_a_whole_one_of_the_first_form_passes_as_it_is()
    {
        var receiver = new SnapshotParts(new FakeTimeProvider());
        var single = Assert.Single(Parts(1, 100));
        Assert.Same(single, receiver.Take(Leader, single));
        var firstForm = Whole(2, 100);
        Assert.Same(firstForm, receiver.Take(Leader, firstForm));
        Assert.Equal(0, receiver.HeldBytes);
    }

    public static TheoryData<string> Hostile() => new(Mutations.Keys);

    /// <summary>The third part of a snapshot of four, changed; the two before it were taken.</summary>
    private static readonly Dictionary<string, Action<StoreInstallSnapshot>> Mutations = new()
    {
        ["out of order (a part skipped)"] = p => p.Offset += SnapshotParts.PartBytes,
        ["a part sent again"] = p => p.Offset -= SnapshotParts.PartBytes,
        ["a total that changes"] = p => p.Total += 1,
        ["bytes past the total"] = p => p.Snapshot = new byte[p.Total],
        ["another term mid-way"] = p => p.Term += 1,
        ["another snapshot index mid-way"] = p => p.SnapshotIndex += 1,
        ["another configuration mid-way"] = p => p.Configuration = [1, 0, 0, 0, 0x62],
        ["another call mid-way"] = p => p.CallId += 1,
        ["an empty part"] = p => p.Snapshot = [],
        ["a negative offset"] = p => p.Offset = -1,
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_part_that_does_not_continue_the_snapshot_drops_it_and_is_counted(string mutation)
    {
        var receiver = new SnapshotParts(new FakeTimeProvider());
        var parts = Parts(7, 3 * SnapshotParts.PartBytes + 100);
        Assert.Null(receiver.Take(Leader, parts[0]));
        Assert.Null(receiver.Take(Leader, parts[1]));
        Mutations[mutation](parts[2]);
        Assert.Null(receiver.Take(Leader, parts[2]));
        Assert.True(receiver.Dropped > 0);
        Assert.Equal(0, receiver.HeldBytes);
        // The rest of that snapshot goes nowhere: it no longer continues anything.
        Assert.Null(receiver.Take(Leader, parts[3]));
        // And the sender's next try, from the start, goes through.
        var again = Parts(8, 3 * SnapshotParts.PartBytes + 100);
        foreach (var part in again[..^1]) Assert.Null(receiver.Take(Leader, part));
        Assert.NotNull(receiver.Take(Leader, again[^1]));
    }

    [Fact]
    public void A_part_that_starts_mid_way_or_announces_too_much_is_refused_and_nothing_is_held()
    {
        var receiver = new SnapshotParts(new FakeTimeProvider());
        var parts = Parts(1, 2 * SnapshotParts.PartBytes);
        Assert.Null(receiver.Take(Leader, parts[1]));
        var huge = Parts(2, 2 * SnapshotParts.PartBytes)[0];
        huge.Total = SnapshotParts.MaxSnapshotBytes + 1;
        Assert.Null(receiver.Take(Leader, huge));
        var negative = Parts(3, 2 * SnapshotParts.PartBytes)[0];
        negative.Total = -5;
        Assert.Null(receiver.Take(Leader, negative));
        Assert.Equal(3, receiver.Dropped);
        Assert.Equal(0, receiver.HeldBytes);
    }

    [Fact]
    public void One_snapshot_per_member_is_held_a_new_call_from_the_start_replaces_the_abandoned_one()
    {
        var receiver = new SnapshotParts(new FakeTimeProvider());
        var first = Parts(1, 3 * SnapshotParts.PartBytes);
        var second = Parts(2, 3 * SnapshotParts.PartBytes);
        Assert.Null(receiver.Take(Leader, first[0]));
        Assert.Null(receiver.Take(Leader, second[0]));
        Assert.Equal(SnapshotParts.PartBytes, receiver.HeldBytes);
        Assert.Equal(1, receiver.Dropped);
        // Another member's snapshot is held beside it.
        Assert.Null(receiver.Take(Other, first[0]));
        Assert.Equal(2 * SnapshotParts.PartBytes, receiver.HeldBytes);
        Assert.Null(receiver.Take(Leader, second[1]));
        Assert.Equal((int)second[0].Total, receiver.Take(Leader, second[2])?.Snapshot?.Length);
        Assert.Equal(SnapshotParts.PartBytes, receiver.HeldBytes);
        Assert.Equal(1, receiver.Dropped);
    }

    [Fact]
    public void What_a_member_leaves_unfinished_is_freed_when_it_is_lost_or_after_the_timeout()
    {
        var time = new FakeTimeProvider();
        var receiver = new SnapshotParts(time);
        var parts = Parts(1, 3 * SnapshotParts.PartBytes);
        Assert.Null(receiver.Take(Leader, parts[0]));
        Assert.Null(receiver.Take(Other, parts[0]));
        receiver.Forget(Other);
        Assert.Equal(SnapshotParts.PartBytes, receiver.HeldBytes);

        // Parts that keep coming keep it: each is within the timeout of the one before.
        time.Advance(SnapshotParts.Abandoned / 2);
        Assert.Null(receiver.Take(Leader, parts[1]));
        time.Advance(SnapshotParts.Abandoned / 2);
        Assert.Equal(2 * SnapshotParts.PartBytes, receiver.HeldBytes);
        // Then none: freed within one and a half timeouts of the last part.
        time.Advance(SnapshotParts.Abandoned);
        Assert.Equal(0, receiver.HeldBytes);
        Assert.Null(receiver.Take(Leader, parts[2]));
        Assert.Equal(3, receiver.Dropped);
    }
}
