namespace Iridium.Vm;

/// <summary>
/// One scheduler thread's own queue of runnable processes (see <see cref="Scheduler"/>): what
/// that thread's slices woke or spawned, and what it queued again at the end of a turn. Its
/// owner adds and takes at either end under its lock, which only a thread stealing half of it
/// ever contends for; its count can be read without the lock.
/// </summary>
internal sealed class LocalRunQueue
{
    private readonly Queue<Process> _processes = new();
    private int _count;

    /// <summary>Processes queued now; read without the lock, so possibly stale by the time it is used.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Queues a process at the tail. The count is written with a full fence: a thread that then
    /// reads whether another one sleeps sees it, or that thread sees this process (the scheduler's wake-up rule).
    /// </summary>
    public void Add(Process process)
    {
        lock (_processes)
        {
            _processes.Enqueue(process);
            Interlocked.Exchange(ref _count, _processes.Count);
        }
    }

    /// <summary>The oldest process, or null when there is none.</summary>
    public Process? TryTake()
    {
        if (Count == 0) return null;
        lock (_processes)
        {
            if (!_processes.TryDequeue(out var process)) return null;
            Volatile.Write(ref _count, _processes.Count);
            return process;
        }
    }

    /// <summary>
    /// Takes the older half (at least one) of this queue for <paramref name="thief"/>: returns the
    /// oldest, to run now, and adds the rest to the thief's own queue. Null when there was nothing.
    /// One lock at a time: the taken processes wait in <paramref name="buffer"/> between the two.
    /// </summary>
    public Process? StealHalfInto(LocalRunQueue thief, List<Process> buffer)
    {
        if (Count == 0) return null;
        lock (_processes)
        {
            int take = (_processes.Count + 1) / 2;
            for (int i = 0; i < take; i++) buffer.Add(_processes.Dequeue());
            Volatile.Write(ref _count, _processes.Count);
        }
        if (buffer.Count == 0) return null;
        var first = buffer[0];
        for (int i = 1; i < buffer.Count; i++) thief.Add(buffer[i]);
        buffer.Clear();
        return first;
    }
}
