using Iridium.Vm;

namespace Iridium.Repl.Scheduling;

/// <summary>What a spawned VM left behind: its events and (capped) output, or why it could not run; <see cref="HeapRefusal"/> says why a HEAP fault's ALOC was refused.</summary>
public sealed record SpawnOutcome(Guid VmId, IReadOnlyList<VmEvent> Events, string Output, bool OutputTruncated, string? Failure = null, HeapRefusal HeapRefusal = HeapRefusal.None);

/// <summary>
/// Runs spawned VMs in the background (<c>!spawn</c>, docs/reference/runtime.md): at most <see cref="MaxConcurrent"/>
/// run at once (<c>--threads</c>), more wait their turn, and beyond <see cref="MaxQueued"/> waiting
/// a spawn is refused so remote users cannot pile up unbounded work. One scheduler serves the whole
/// process (local console and every remote session).
/// </summary>
public sealed class VmScheduler
{
    /// <summary>Spawned output kept for the report; the rest is dropped (a VM can print forever).</summary>
    public const int OutputCap = 64 * 1024;

    private readonly SemaphoreSlim _slots;
    private int _pending;   // waiting or running

    /// <param name="heapBudget">The budget every spawned VM's heap is counted in (the process's), or null for none.</param>
    public VmScheduler(int maxConcurrent, HeapBudget? heapBudget = null)
    {
        HeapBudget = heapBudget;
        MaxConcurrent = Math.Max(1, maxConcurrent);
        MaxQueued = 4 * MaxConcurrent;
        _slots = new SemaphoreSlim(MaxConcurrent, MaxConcurrent);
    }

    public int MaxConcurrent { get; }
    public int MaxQueued { get; }

    /// <summary>The budget spawned VMs' heaps are counted in.</summary>
    public HeapBudget? HeapBudget { get; }

    /// <summary>
    /// The node's process table, when this scheduler runs on a cluster node: every spawned VM is
    /// listed there (`iridium ps`) and can be stopped from anywhere (`iridium kill`). Set once, by
    /// the host, before the first spawn.
    /// </summary>
    public IProcessRegistry? Processes { get; set; }

    /// <summary>VMs spawned and not finished yet (running or waiting).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Starts running <paramref name="image"/> on a fresh VM with id <paramref name="vmId"/>; false
    /// when too many are already waiting. <paramref name="whenDone"/> gets the outcome when the VM
    /// has stopped; the VM counts as <see cref="Pending"/> until it has returned, so "no VM pending"
    /// also means "every report delivered". The caller picks the id so it can announce the VM before
    /// the VM can possibly finish. Its heap is capped at <paramref name="heapCap"/>, counted in
    /// <see cref="HeapBudget"/>, and given back when it stops. Cancelling <paramref name="interrupt"/>
    /// stops the VM (an Interrupted event), or drops it unrun while it still waits for a slot.
    /// </summary>
    /// <param name="program">What `ps` calls it (its path) and who spawned it, for the node's process table.</param>
    public bool TrySpawn(Guid vmId, byte[] image, string? alias, long? maxSteps, Action<SpawnOutcome> whenDone, int heapCap = Machine.DefaultHeapCap,
        CancellationToken interrupt = default, (string Program, string Origin)? program = null)
    {
        if (Interlocked.Increment(ref _pending) > MaxConcurrent + MaxQueued)
        {
            Interlocked.Decrement(ref _pending);
            return false;
        }
        // `kill` cancels this, and so does the end of the session.
        var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        var entry = Processes?.Register(program?.Program ?? "?", program?.Origin ?? "?", () => Cancel(stop));
        _ = RunAsync(new Machine(vmId, alias, heapCap, HeapBudget), image, maxSteps, whenDone, stop, entry);
        return true;
    }

    private static void Cancel(CancellationTokenSource stop)
    {
        try
        {
            stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The VM has ended.
        }
    }

    /// <summary>True when a new spawn would have to wait for a slot.</summary>
    public bool IsBusy => Pending >= MaxConcurrent;

    /// <summary>True when a new spawn would be refused.</summary>
    public bool IsFull => Pending >= MaxConcurrent + MaxQueued;

    private async Task RunAsync(Machine machine, byte[] image, long? maxSteps, Action<SpawnOutcome> whenDone, CancellationTokenSource stop, IRegisteredProcess? entry)
    {
        var interrupt = stop.Token;
        try
        {
            SpawnOutcome outcome;
            await _slots.WaitAsync(interrupt).ConfigureAwait(false);
            try
            {
                entry?.Running(machine);
                outcome = await DedicatedThread.Run(() => RunToEnd(machine, image, maxSteps, interrupt)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                outcome = new SpawnOutcome(machine.Id, machine.Events.ToArray(), "", false, e.Message);
            }
            finally
            {
                machine.ReleaseHeap();
                _slots.Release();
            }
            whenDone(outcome);
        }
        catch (Exception)
        {
            // A report that cannot be delivered (the session is gone) is dropped, and so is a VM
            // interrupted while it waited for a slot (its session ended: nobody wants it).
        }
        finally
        {
            machine.ReleaseHeap(); // also for a VM dropped before it ran (safe to call twice)
            entry?.Dispose();
            stop.Dispose();
            Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>Waits until no spawned VM is running or waiting, or the timeout passes; true when none is.</summary>
    public async Task<bool> WaitForIdleAsync(TimeSpan timeout)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (Pending > 0)
        {
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(10).ConfigureAwait(false);
        }
        return true;
    }

    private static SpawnOutcome RunToEnd(Machine machine, byte[] image, long? maxSteps, CancellationToken interrupt)
    {
        var output = new CappedStream(OutputCap);
        machine.Output = output;
        machine.LoadImage(image);
        machine.Run(maxSteps, interrupt);
        return new SpawnOutcome(machine.Id, machine.Events.ToArray(), output.Text(), output.Truncated,
            HeapRefusal: machine.LastHeapRefusal);
    }

    /// <summary>Keeps the first <c>cap</c> bytes written and counts the rest as dropped.</summary>
    private sealed class CappedStream(int cap) : WriteOnlyStream
    {
        private readonly MemoryStream _kept = new();

        public bool Truncated { get; private set; }

        public string Text() => System.Text.Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int room = cap - (int)_kept.Length;
            if (buffer.Length > room) Truncated = true;
            _kept.Write(buffer[..Math.Min(room, buffer.Length)]);
        }

        public override void Flush() { }
        public override long Length => _kept.Length;
        public override long Position { get => _kept.Length; set => throw new NotSupportedException(); }
    }
}
