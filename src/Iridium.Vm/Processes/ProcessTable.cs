namespace Iridium.Vm;

/// <summary>
/// The living processes of a runtime, by serial: <see cref="ShardCount"/> dictionaries, each under
/// its own lock, a run of <see cref="RunLength"/> consecutive serials to each in turn (processes
/// spawned one after another share a shard and its cache lines, where shards by the low bits
/// made every add and remove touch another: a cache miss each). No entry is an object of its own (a concurrent
/// dictionary allocates a node per process), and no shard's arrays reach the large-object heap,
/// where every allocation counts towards a full collection of all the processes: at the default
/// process limit a shard holds about a thousand. One dictionary for 100,000 spawned processes,
/// doubling as it grew, was a fifth of the time of spawning them (perf). Shards are made at their first process.
/// </summary>
internal sealed class ProcessTable
{
    private const int ShardCount = 256;
    private const int RunShift = 10;
    private const int RunLength = 1 << RunShift;

    private readonly Dictionary<long, Process>?[] _shards = new Dictionary<long, Process>?[ShardCount];

    public void Add(Process process)
    {
        var shard = Shard(process.Serial, create: true)!;
        lock (shard) shard[process.Serial] = process;
    }

    public void Remove(Process process)
    {
        if (Shard(process.Serial, create: false) is not { } shard) return;
        lock (shard) shard.Remove(process.Serial);
    }

    public Process? Find(long serial)
    {
        if (Shard(serial, create: false) is not { } shard) return null;
        lock (shard) return shard.GetValueOrDefault(serial);
    }

    /// <summary>Every process in the table now, in serial order.</summary>
    public Process[] List()
    {
        var living = new List<Process>();
        foreach (var shard in _shards)
        {
            if (shard is null) continue;
            lock (shard) living.AddRange(shard.Values);
        }
        living.Sort(static (a, b) => a.Serial.CompareTo(b.Serial));
        return [.. living];
    }

    private Dictionary<long, Process>? Shard(long serial, bool create)
    {
        ref var slot = ref _shards[(int)((serial >> RunShift) & (ShardCount - 1))];
        var shard = Volatile.Read(ref slot);
        if (shard is not null || !create) return shard;
        var made = new Dictionary<long, Process>();
        return Interlocked.CompareExchange(ref slot, made, null) ?? made;
    }
}
