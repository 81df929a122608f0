using Iridium.Cluster.Protocol;

namespace Iridium.Store.Mesh;

/// <summary>
/// A store message larger than a frame, received as parts (docs/reference/cluster-protocol.md,
/// StoreInstallSnapshot and StoreAppendEntries): the sender cuts it into parts of at most
/// <see cref="PartBytes"/> under one call id, each with the message's header, an offset and the
/// whole's total; the receiver puts the parts of each member back together and hands on the whole
/// message once the last one arrives. What one member may hold here is bounded: one message of a
/// kind at a time (a new call from offset 0 replaces an older, abandoned one), at most
/// <see cref="MaxMessageBytes"/>, all members together at most <see cref="MaxHeldBytes"/>. A part that
/// does not continue what is held (out of order, another total or header, another call mid-way) is
/// dropped with what was held, and counted; the sender's call then times out and Raft sends it again
/// from the start. What a member leaves unfinished is freed when it is lost or after
/// <see cref="Abandoned"/> without a part. Offsets and totals count <typeparamref name="TMessage"/>'s
/// units: a snapshot's bytes, a batch's entries.
/// </summary>
internal abstract class MessageParts<TMessage>
    where TMessage : class, IStoreMessage
{
    /// <summary>Well under the smallest frame cap a node may have (64 KiB), whatever the receiver's cap is.</summary>
    public const int PartBytes = 32 * 1024;

    public const long MaxMessageBytes = 256L << 20;
    public const long MaxHeldBytes = 2 * MaxMessageBytes;
    public static readonly TimeSpan Abandoned = TimeSpan.FromSeconds(30);

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, Assembly> held = new();
    private readonly TimeProvider time;
    private readonly ITimer sweeper;
    private long heldBytes;
    private long dropped;
    private bool sweeping;

    protected MessageParts(TimeProvider time)
    {
        this.time = time;
        sweeper = time.CreateTimer(_ => Sweep(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Parts refused, and unfinished messages dropped or freed.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Bytes of unfinished messages held for all members.</summary>
    public long HeldBytes
    {
        get { lock (gate) return heldBytes; }
    }

    /// <summary>Where this part's units start in the whole, and how many the whole has (0 and 0: the part is the whole).</summary>
    protected abstract (long Offset, long Total) Place(TMessage part);

    /// <summary>The units this part carries, and the bytes they take.</summary>
    protected abstract (long Units, long Bytes) Size(TMessage part);

    /// <summary>Whether <paramref name="part"/> has <paramref name="first"/>'s header (everything but the units and the offset).</summary>
    protected abstract bool SameHeader(TMessage first, TMessage part);

    /// <summary>The whole message: <paramref name="first"/>'s header with the units of <paramref name="parts"/>, in order.</summary>
    protected abstract TMessage Join(TMessage first, IReadOnlyList<TMessage> parts);

    /// <summary>
    /// Takes one part from <paramref name="peer"/>: the whole message when this part completes it,
    /// else null (held, or dropped and counted).
    /// </summary>
    public TMessage? Take(Guid peer, TMessage part)
    {
        var (offset, total) = Place(part);
        // The first form: the message whole, which the frame cap already bounded.
        if (total == 0 && offset == 0) return part;
        var (units, bytes) = Size(part);
        lock (gate)
        {
            held.TryGetValue(peer, out var assembly);
            if (assembly is not null && assembly.First.CallId != part.CallId && offset == 0)
            {
                // The sender gave up on that call (it timed out) and starts over.
                Drop(peer, assembly);
                assembly = null;
            }
            var continues = assembly is null
                ? offset == 0
                : part.CallId == assembly.First.CallId && offset == assembly.Units && total == assembly.Total && SameHeader(assembly.First, part);
            if (total is < 0 or > MaxMessageBytes || offset < 0 || units <= 0 || units > total - offset || !continues
                || (assembly?.Bytes ?? 0) + bytes > MaxMessageBytes || heldBytes + bytes > MaxHeldBytes)
            {
                if (assembly is not null) Drop(peer, assembly);
                Interlocked.Increment(ref dropped);
                return null;
            }
            if (assembly is null && units == total) return part;
            if (assembly is null)
            {
                assembly = new Assembly(part, total);
                held[peer] = assembly;
            }
            assembly.Add(part, units, bytes, time.GetTimestamp());
            heldBytes += bytes;
            if (assembly.Units < total)
            {
                if (!sweeping) sweeper.Change(Abandoned, Timeout.InfiniteTimeSpan);
                sweeping = true;
                return null;
            }
            held.Remove(peer);
            heldBytes -= assembly.Bytes;
            return Join(assembly.First, assembly.Parts);
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
        heldBytes -= assembly.Bytes;
        Interlocked.Increment(ref dropped);
    }

    /// <summary>The parts of one message received so far from one member, in order.</summary>
    private sealed class Assembly(TMessage first, long total)
    {
        public TMessage First => first;
        public long Total => total;
        public List<TMessage> Parts { get; } = [];
        public long Units { get; private set; }
        public long Bytes { get; private set; }
        public long LastPartAt { get; private set; }

        public void Add(TMessage part, long units, long bytes, long at)
        {
            Parts.Add(part);
            Units += units;
            Bytes += bytes;
            LastPartAt = at;
        }
    }
}
