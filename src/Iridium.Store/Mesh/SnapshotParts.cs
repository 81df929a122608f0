using Iridium.Cluster.Protocol;

namespace Iridium.Store.Mesh;

/// <summary>
/// A snapshot larger than a frame as parts (<see cref="MessageParts{TMessage}"/>): offsets and totals
/// count the snapshot's bytes, and every part carries the same term, snapshot index and voter set.
/// </summary>
internal sealed class SnapshotParts(TimeProvider time) : MessageParts<StoreInstallSnapshot>(time)
{
    public const long MaxSnapshotBytes = MaxMessageBytes;

    /// <summary>The message cut into parts of at most <see cref="MessageParts{TMessage}.PartBytes"/> snapshot bytes, each with the same header.</summary>
    public static IEnumerable<StoreInstallSnapshot> Split(StoreInstallSnapshot whole)
    {
        var snapshot = whole.Snapshot ?? [];
        var offset = 0;
        do
        {
            var length = Math.Min(PartBytes, snapshot.Length - offset);
            yield return WithBytes(whole, snapshot.AsSpan(offset, length).ToArray(), offset, snapshot.Length);
            offset += length;
        }
        while (offset < snapshot.Length);
    }

    protected override (long Offset, long Total) Place(StoreInstallSnapshot part) => (part.Offset, part.Total);

    protected override (long Units, long Bytes) Size(StoreInstallSnapshot part) => (part.Snapshot?.Length ?? 0, part.Snapshot?.Length ?? 0);

    protected override bool SameHeader(StoreInstallSnapshot first, StoreInstallSnapshot part) =>
        part.Term == first.Term && part.SnapshotIndex == first.SnapshotIndex && part.SnapshotTerm == first.SnapshotTerm
        && part.StateVersion == first.StateVersion && part.ConfigurationVersion == first.ConfigurationVersion
        && (part.Configuration ?? []).AsSpan().SequenceEqual(first.Configuration ?? []);

    protected override StoreInstallSnapshot Join(StoreInstallSnapshot first, IReadOnlyList<StoreInstallSnapshot> parts)
    {
        var snapshot = new byte[parts.Sum(p => p.Snapshot!.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.Snapshot!.CopyTo(snapshot, at);
            at += part.Snapshot.Length;
        }
        return WithBytes(first, snapshot, 0, snapshot.Length);
    }

    /// <summary><paramref name="header"/>'s call, snapshot and voter set, carrying <paramref name="bytes"/> at <paramref name="offset"/> of <paramref name="total"/>.</summary>
    private static StoreInstallSnapshot WithBytes(StoreInstallSnapshot header, byte[] bytes, long offset, long total) => new()
    {
        CallId = header.CallId,
        Term = header.Term,
        SnapshotIndex = header.SnapshotIndex,
        SnapshotTerm = header.SnapshotTerm,
        StateVersion = header.StateVersion,
        Snapshot = bytes,
        Configuration = header.Configuration,
        ConfigurationVersion = header.ConfigurationVersion,
        Offset = offset,
        Total = total,
    };
}
