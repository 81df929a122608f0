using Iridium.Cluster.Protocol;

namespace Iridium.Store.Mesh;

/// <summary>
/// An AppendEntries whose entries are larger than a frame as parts (<see cref="MessageParts{TMessage}"/>):
/// DotNext sends a voter every entry it lacks in one call, megabytes after the voter was down for a
/// while. Offsets and totals count entries; every part carries the same term, previous entry and
/// commit index, and at least one entry (an entry larger than a part travels alone).
/// </summary>
internal sealed class EntryParts(TimeProvider time) : MessageParts<StoreAppendEntries>(time)
{
    /// <summary>What an entry costs in a frame besides its payload: its term, command id, flag and the length of its bytes.</summary>
    private const int EntryOverheadBytes = 32;

    /// <summary>The message as it is when its entries fit in a part, else cut into parts of at most <see cref="MessageParts{TMessage}.PartBytes"/> (one entry at least).</summary>
    public static IEnumerable<StoreAppendEntries> Split(StoreAppendEntries whole)
    {
        var entries = whole.Entries ?? [];
        if (entries.Sum(Bytes) <= PartBytes)
        {
            yield return whole;
            yield break;
        }
        var first = 0;
        while (first < entries.Count)
        {
            var end = first + 1;
            var bytes = Bytes(entries[first]);
            while (end < entries.Count && bytes + Bytes(entries[end]) <= PartBytes) bytes += Bytes(entries[end++]);
            yield return WithEntries(whole, entries.GetRange(first, end - first), first, entries.Count);
            first = end;
        }
    }

    private static long Bytes(StoreLogEntry entry) => (entry.Payload?.Length ?? 0) + EntryOverheadBytes;

    protected override (long Offset, long Total) Place(StoreAppendEntries part) => (part.Offset, part.Total);

    protected override (long Units, long Bytes) Size(StoreAppendEntries part) =>
        (part.Entries?.Count ?? 0, part.Entries?.Sum(Bytes) ?? 0);

    protected override bool SameHeader(StoreAppendEntries first, StoreAppendEntries part) =>
        part.Term == first.Term && part.PrevLogIndex == first.PrevLogIndex && part.PrevLogTerm == first.PrevLogTerm
        && part.CommitIndex == first.CommitIndex && part.StateVersion == first.StateVersion;

    protected override StoreAppendEntries Join(StoreAppendEntries first, IReadOnlyList<StoreAppendEntries> parts) =>
        WithEntries(first, parts.SelectMany(p => p.Entries!).ToList(), 0, 0);

    /// <summary><paramref name="header"/>'s call and log position, carrying <paramref name="entries"/> at <paramref name="offset"/> of <paramref name="total"/>.</summary>
    private static StoreAppendEntries WithEntries(StoreAppendEntries header, List<StoreLogEntry> entries, long offset, long total) => new()
    {
        CallId = header.CallId,
        Term = header.Term,
        PrevLogIndex = header.PrevLogIndex,
        PrevLogTerm = header.PrevLogTerm,
        CommitIndex = header.CommitIndex,
        StateVersion = header.StateVersion,
        Entries = entries,
        Offset = offset,
        Total = total,
    };
}
