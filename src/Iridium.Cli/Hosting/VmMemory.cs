using System.Globalization;
using Iridium.Vm;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The memory governance of a process that runs VMs for others (a node, a REPL serving remote
/// sessions): one <see cref="HeapBudget"/> for every VM heap of the process, a line in the process's
/// log (or above the console's line) when it refuses an ALOC (at most one a second), and a full compacting collection once heaps
/// have been given back, so the memory returns to the system instead of staying in the GC's
/// free lists. The GC is the workstation one, non-concurrent (see Iridium.Cli.csproj for why).
/// </summary>
internal sealed class VmMemory : IDisposable
{
    /// <summary>Heap memory given back before a collection is worth its pause.</summary>
    private const long ReclaimThresholdBytes = 8 << 20;

    /// <summary>Releases often come in bursts (sessions closing together): one collection after the burst.</summary>
    private static readonly TimeSpan ReclaimDelay = TimeSpan.FromMilliseconds(200);

    private readonly TextWriter _log;
    private readonly Timer _reclaim;
    private long _released;
    private long _lastRefusalLogMs = long.MinValue / 2; // far enough back that the first refusal is logged (no overflow)

    public VmMemory(long budgetBytes, TextWriter log)
    {
        _log = log;
        Budget = new HeapBudget(budgetBytes);
        _reclaim = new Timer(_ => Reclaim(), null, Timeout.Infinite, Timeout.Infinite);
        Budget.Released += OnReleased;
        Budget.Refused += OnRefused;
    }

    public HeapBudget Budget { get; }

    public void Dispose() => _reclaim.Dispose();

    private void OnReleased(long bytes)
    {
        if (Interlocked.Add(ref _released, bytes) >= ReclaimThresholdBytes) _reclaim.Change(ReclaimDelay, Timeout.InfiniteTimeSpan);
    }

    private void Reclaim()
    {
        Interlocked.Exchange(ref _released, 0);
        // Aggressive: compacts every generation, the large object heap included (VM heaps are
        // large byte arrays), and gives the freed regions back to the system at once.
        Budget.Collect();
    }

    private void OnRefused(long asked, long used)
    {
        long now = Environment.TickCount64;
        long last = Interlocked.Read(ref _lastRefusalLogMs);
        if (now - last < 1000 || Interlocked.CompareExchange(ref _lastRefusalLogMs, now, last) != last) return;
        _log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"warning: a VM's ALOC of {asked} bytes was refused (fault HEAP): the VM heaps of this process hold {used} of the {Budget.Limit} bytes they may use together (--max-total-heap-bytes)"));
    }
}
