namespace Iridium.Vm;

/// <summary>
/// The memory the VM heaps of one process may hold together: a node's REPL sessions, their
/// spawns, and whatever else it runs. A <see cref="Machine"/> reserves a new heap array before
/// growing into it (the whole array: the old one is still held while it is copied) and gives
/// the old one back once copied, and all of it in <see cref="Machine.ReleaseHeap"/>, so an ALOC
/// that would take the total past <see cref="Limit"/> faults HEAP in that VM instead of taking
/// memory the node needs. An array given back is garbage, still memory until the collector
/// frees it: it stays counted against the limit until <see cref="Collect"/> has run, which a
/// reservation that does not fit calls itself. So what the heaps really hold, arrays left
/// behind by growing included, stays within the limit. Thread-safe.
/// </summary>
public sealed class HeapBudget
{
    private readonly Lock _gate = new();
    private readonly Lock _collecting = new();
    private long _used;
    private long _garbage;

    public HeapBudget(long limitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limitBytes);
        Limit = limitBytes;
    }

    public long Limit { get; }

    /// <summary>Bytes reserved by live heaps now.</summary>
    public long Used
    {
        get { lock (_gate) return _used; }
    }

    /// <summary>Bytes given back and not yet known to be collected: counted against <see cref="Limit"/> too.</summary>
    public long Garbage
    {
        get { lock (_gate) return _garbage; }
    }

    /// <summary>Raised after heap memory was given back, with its size: the host may <see cref="Collect"/> then.</summary>
    public event Action<long>? Released;

    /// <summary>Raised when a reservation is refused, with the bytes asked for and the bytes held then: for the host's log.</summary>
    public event Action<long, long>? Refused;

    /// <summary>
    /// Reserves <paramref name="bytes"/>; false (and nothing reserved) when that would pass
    /// <see cref="Limit"/> even once the arrays given back have been collected.
    /// </summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (TryTake(bytes)) return true;
        if (Garbage > 0)
        {
            Collect();
            if (TryTake(bytes)) return true;
        }
        long held;
        lock (_gate) held = _used + _garbage;
        Refused?.Invoke(bytes, held);
        return false;
    }

    private bool TryTake(long bytes)
    {
        lock (_gate)
        {
            if (bytes > Limit - _used - _garbage) return false;
            _used += bytes;
            return true;
        }
    }

    /// <summary>Gives back what <see cref="TryReserve"/> took: its array is garbage, counted until <see cref="Collect"/>.</summary>
    public void Release(long bytes)
    {
        if (bytes <= 0) return;
        lock (_gate)
        {
            _used -= bytes;
            _garbage += bytes;
        }
        Released?.Invoke(bytes);
    }

    /// <summary>
    /// A full, compacting collection (the large object heap included: heaps are large arrays)
    /// that returns freed memory to the system; then the arrays given back before it are no
    /// longer counted. Collections run one at a time.
    /// </summary>
    public void Collect()
    {
        lock (_collecting)
        {
            long garbage = Garbage;
            if (garbage == 0) return;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            lock (_gate) _garbage -= garbage;
        }
    }
}

/// <summary>Why the last ALOC that faulted HEAP was refused, for the message a person reads.</summary>
public enum HeapRefusal : byte
{
    /// <summary>No ALOC was refused for size (a negative size, or none at all).</summary>
    None,
    /// <summary>It would have taken this VM's heap past its own cap.</summary>
    VmCap,
    /// <summary>The heaps of all the VMs of the process together would have passed their budget.</summary>
    Budget,
}
