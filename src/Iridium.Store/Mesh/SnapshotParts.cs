using Iridium.Cluster.Protocol;

namespace Iridium.Store.Mesh;

/// <summary>
/// A snapshot larger than a frame, sent and received as parts (docs/reference/cluster-protocol.md,
/// StoreInstallSnapshot): the sender cuts it into <see cref="PartBytes"/> pieces under one call id;
/// the receiver puts the pieces of each member back together and hands on the whole snapshot once
/// the last one arrives. What one member may hold here is bounded: one snapshot at a time (a new
/// call from offset 0 replaces an older, abandoned one), at most <see cref="MaxSnapshotBytes"/>, all
/// members together at most <see cref="MaxHeldBytes"/>. A part that does not continue what is held
/// (out of order, another total or header, another call mid-way) is dropped with what was held, and
/// counted; the sender's call then times out and Raft sends the snapshot again from the start. What a
/// member leaves unfinished is freed when it is lost or after <see cref="Abandoned"/> without a part.
/// </summary>
internal sealed class SnapshotParts
{
    /// <summary>Well under the smallest frame cap a node may have (64 KiB), whatever the receiver's cap is.</summary>
    public const int PartBytes = 32 * 1024;

    public const long MaxSnapshotBytes = 256L << 20;
    public const long MaxHeldBytes = 2 * MaxSnapshotBytes;
    public static readonly TimeSpan Abandoned = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, Assembly> held = new();
    private readonly TimeProvider time;
    private readonly ITimer sweeper;
    private long heldBytes;
    private long dropped;
    private bool sweeping;

    public SnapshotParts(TimeProvider time)
    {
        this.time = time;
        sweeper = time.CreateTimer(_ => Sweep(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Parts (and whole snapshots of old senders) refused, and unfinished snapshots dropped or freed.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Bytes of unfinished snapshots held for all members.</summary>
    public long HeldBytes
    {
        get { lock (gate) return heldBytes; }
    }

    /// <summary>The message cut into parts of at most <see cref="PartBytes"/> snapshot bytes, each with the same header.</summary>
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

    /// <summary>
    /// Takes one part from <paramref name="peer"/>: the whole snapshot (Offset 0, Total its length)
    /// when this part completes it, else null (held, or dropped and counted).
    /// </summary>
    public StoreInstallSnapshot? Take(Guid peer, StoreInstallSnapshot part)
    {
        // The first form: the snapshot whole in one message, which the frame cap already bounded.
        if (part.Total == 0 && part.Offset == 0) return part;
        var bytes = part.Snapshot ?? [];
        lock (gate)
        {
            held.TryGetValue(peer, out var assembly);
            if (assembly is not null && assembly.CallId != part.CallId && part.Offset == 0)
            {
                // The sender gave up on that call (it timed out) and starts over.
                Drop(peer, assembly);
                assembly = null;
            }
            if (part.Total is < 0 or > MaxSnapshotBytes || part.Offset < 0 || bytes.Length == 0 || bytes.Length > part.Total - part.Offset
                || (assembly is null ? part.Offset != 0 : !assembly.Continues(part))
                || heldBytes + bytes.Length > MaxHeldBytes)
            {
                if (assembly is not null) Drop(peer, assembly);
                Interlocked.Increment(ref dropped);
                return null;
            }
            if (assembly is null && bytes.Length == part.Total) return part;
            if (assembly is null)
            {
                assembly = new Assembly(part);
                held[peer] = assembly;
            }
            assembly.Add(bytes, time.GetTimestamp());
            heldBytes += bytes.Length;
            if (assembly.Received < part.Total)
            {
                if (!sweeping) sweeper.Change(Abandoned, Timeout.InfiniteTimeSpan);
                sweeping = true;
                return null;
            }
            held.Remove(peer);
            heldBytes -= assembly.Received;
            return assembly.Whole();
        }
    }

    /// <summary>Frees what <paramref name="peer"/> left unfinished (the member was lost).</summary>
    public void Forget(Guid peer)
    {
        lock (gate)
            if (held.TryGetValue(peer, out var assembly)) Drop(peer, assembly);
    }

    private void Sweep()
    {
        lock (gate)
        {
            var now = time.GetTimestamp();
            foreach (var (peer, assembly) in held.ToList())
                if (time.GetElapsedTime(assembly.LastPartAt, now) >= Abandoned) Drop(peer, assembly);
            sweeping = held.Count > 0;
            if (sweeping) sweeper.Change(Abandoned / 2, Timeout.InfiniteTimeSpan);
        }
    }

    private void Drop(Guid peer, Assembly assembly)
    {
        held.Remove(peer);
        heldBytes -= assembly.Received;
        Interlocked.Increment(ref dropped);
    }

    /// <summary>The parts of one snapshot received so far from one member, in order.</summary>
    private sealed class Assembly(StoreInstallSnapshot first)
    {
        private readonly List<byte[]> parts = [];

        public long CallId => first.CallId;
        public long Received { get; private set; }
        public long LastPartAt { get; private set; }

        /// <summary>The next part of the same call and snapshot: where the last one ended, the same total and header.</summary>
        public bool Continues(StoreInstallSnapshot part) =>
            part.CallId == first.CallId && part.Offset == Received && part.Total == first.Total
            && part.Term == first.Term && part.SnapshotIndex == first.SnapshotIndex && part.SnapshotTerm == first.SnapshotTerm
            && part.StateVersion == first.StateVersion && part.ConfigurationVersion == first.ConfigurationVersion
            && (part.Configuration ?? []).AsSpan().SequenceEqual(first.Configuration ?? []);

        public void Add(byte[] bytes, long at)
        {
            parts.Add(bytes);
            Received += bytes.Length;
            LastPartAt = at;
        }

        public StoreInstallSnapshot Whole()
        {
            var snapshot = new byte[Received];
            var at = 0;
            foreach (var part in parts)
            {
                part.CopyTo(snapshot, at);
                at += part.Length;
            }
            return WithBytes(first, snapshot, 0, Received);
        }
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
