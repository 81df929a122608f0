namespace Iridium.Vm;

/// <summary>
/// The memory the VM heaps of one process may hold together: a node's REPL sessions, their
/// spawns, and whatever else it runs. A <see cref="Machine"/> reserves what its heap array grows
/// by before growing it and gives it all back in <see cref="Machine.ReleaseHeap"/> when it ends,
/// so an ALOC that would take the total past <see cref="Limit"/> faults HEAP in that VM instead of
/// taking memory the node needs. Thread-safe.
/// </summary>
public sealed class HeapBudget
{
    private long _used;

    public HeapBudget(long limitBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limitBytes);
        Limit = limitBytes;
    }

    public long Limit { get; }

    /// <summary>Bytes reserved by heaps now.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Raised after heap memory was given back, with its size: the host may collect then (freed arrays are garbage until a collection).</summary>
    public event Action<long>? Released;

    /// <summary>Raised when a reservation is refused, with the bytes asked for and the bytes in use then: for the host's log.</summary>
    public event Action<long, long>? Refused;

    /// <summary>Reserves <paramref name="bytes"/>; false (and nothing reserved) when that would pass <see cref="Limit"/>.</summary>
    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long used = Volatile.Read(ref _used);
        while (true)
        {
            if (bytes > Limit - used)
            {
                Refused?.Invoke(bytes, used);
                return false;
            }
            long seen = Interlocked.CompareExchange(ref _used, used + bytes, used);
            if (seen == used) return true;
            used = seen;
        }
    }

    /// <summary>Gives back what <see cref="TryReserve"/> took.</summary>
    public void Release(long bytes)
    {
        if (bytes <= 0) return;
        Interlocked.Add(ref _used, -bytes);
        Released?.Invoke(bytes);
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
