namespace Iridium.Vm;

/// <summary>
/// Runs the runtime's scheduled processes on a fixed set of threads, each process a slice of at
/// most <see cref="ProcessLimits.SliceSteps"/> steps at a time. A waiting process is in no
/// queue: whoever wakes it (a sender, a kill, its RECV's timer) queues it again. The threads
/// start with the first runnable process, so a host whose program never spawns starts none.
/// They are background threads: they never keep the host's process alive. What a thread's
/// slices send to other members is written when its batch ends (<see cref="SchedulerBatch"/>):
/// before it sleeps, and every <see cref="SchedulerBatch.MaxSlices"/> slices while it is busy;
/// a thread never sleeps with a write pending.
/// <para>
/// A thread's turn: the first process a slice wakes is not queued but kept by the thread
/// (<see cref="t_next"/>), which runs it when the slice ends, for what is left of the
/// <see cref="ProcessLimits.SliceSteps"/> of its turn, as BEAM runs a process woken by a send on
/// the sender's scheduler. A message passed along a chain of processes then goes from one to the
/// next with no lock of the shared queue and no other thread involved; the turn's bound keeps it
/// fair (what the turn did not finish goes to the queue's tail, behind everything queued meanwhile).
/// </para>
/// <para>
/// Queues, as BEAM's and Go's schedulers have them: what a thread's slices wake or spawn beyond
/// the kept one, and what it queues again, goes to that thread's own <see cref="LocalRunQueue"/>;
/// what other threads wake (a host, a connection, a timer) goes to the shared queue. A thread
/// takes from its own queue, from the shared one (first on every other turn, so neither waits
/// behind the other for ever), and when both are empty steals the older half of another
/// thread's; it sleeps only when it found nothing anywhere. One shared queue for everything made
/// two busy threads take its lock for every process either queued or took, a cache line passed
/// between cores each time: spawning 100,000 processes cost three times the processor time on two
/// threads that it did on one, and the run took longer (tools/bench/processes.sh on a quiet machine).
/// </para>
/// </summary>
internal sealed class Scheduler(ProcessRuntime runtime) : IDisposable
{
    [ThreadStatic]
    private static Scheduler? t_current;   // the scheduler whose thread this is, if any

    [ThreadStatic]
    private static Process? t_next;        // woken by this thread's turn: runs next, in the same turn

    [ThreadStatic]
    private static LocalRunQueue? t_own;   // this scheduler thread's own queue

    [ThreadStatic]
    private static List<Process>? t_stolen;   // a steal's processes between the two queues' locks

    private readonly Queue<Process> _shared = new();   // its lock is also where idle threads sleep
    private LocalRunQueue[]? _queues;
    private Thread[]? _threads;
    private int _sharedCount;    // _shared.Count, for reads without the lock
    private int _idleThreads;    // threads asleep or about to be (written with full fences)
    private int _wakePending;    // 1 from waking an idle thread until a thread next looks for work or sleeps
    private bool _stopping;

    /// <summary>
    /// Queues a runnable process (it must not be queued already). On one of this scheduler's
    /// threads, the first process woken in a turn is kept by the thread instead (see the class
    /// summary); the others go to the thread's own queue, and an idle thread is woken to steal
    /// when that queue holds more than this one or a process is kept. Elsewhere the process goes
    /// to the shared queue and an idle thread is woken, unless the caller is a thread lent to the
    /// scheduler (<see cref="LentThread"/>) and nothing else is queued: that thread takes the process itself.
    /// </summary>
    public void Enqueue(Process process) => Enqueue(process, mayHold: true);

    /// <summary><paramref name="mayHold"/> false: a process runs again after its slice, and goes to a queue whatever thread ran it (a lent thread runs one slice of each).</summary>
    private void Enqueue(Process process, bool mayHold)
    {
        if (t_current == this)
        {
            if (mayHold && t_next is null)
            {
                t_next = process;
                return;
            }
            var own = t_own!;
            own.Add(process);
            // Alone in the queue with nothing kept, it is this thread's next process anyway (soon,
            // when the slice is about to wait): no other thread is woken for a chain of messages.
            if ((t_next is not null || own.Count > 1) && Volatile.Read(ref _idleThreads) > 0) WakeIdleThread();
            return;
        }
        lock (_shared)
        {
            if (mayHold && _shared.Count == 0 && _threads is not null && !_stopping && LentThread.TryHold(this, process)) return;
            _shared.Enqueue(process);
            Volatile.Write(ref _sharedCount, _shared.Count);
            if (_threads is null) StartThreads();
            else if (_idleThreads > 0) Monitor.Pulse(_shared);
        }
    }

    /// <summary>Wakes one idle thread to look for work, unless one is woken already and has not looked yet.</summary>
    private void WakeIdleThread()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) != 0) return;
        lock (_shared) Monitor.Pulse(_shared);
    }

    public void Dispose()
    {
        lock (_shared)
        {
            _stopping = true;
            Monitor.PulseAll(_shared);
        }
    }

    private void StartThreads()
    {
        int count = runtime.Limits.Schedulers;
        _queues = new LocalRunQueue[count];
        for (int i = 0; i < count; i++) _queues[i] = new LocalRunQueue();
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"iridium scheduler {i}" };
            _threads[i].Start(i);
        }
    }

    private void Work(object? index)
    {
        t_current = this;
        int self = (int)index!;
        var own = t_own = _queues![self];
        t_stolen = [];
        SchedulerBatch.Enter();
        int slicesSinceWrite = 0;
        int turns = 0;
        long turnLeft = 0;   // steps left of this thread's turn
        while (true)
        {
            if (slicesSinceWrite >= SchedulerBatch.MaxSlices)
            {
                SchedulerBatch.WritePending();
                slicesSinceWrite = 0;
            }
            var process = t_next;
            t_next = null;
            if (process is null || turnLeft <= 0)
            {
                // A new turn: what the last one kept waits its turn behind the queue's others.
                if (process is not null) Enqueue(process, mayHold: false);
                process = NextProcess(own, self, ++turns, out bool stop);
                if (stop) return;
                if (process is null)
                {
                    SchedulerBatch.WritePending();
                    slicesSinceWrite = 0;
                    continue;
                }
                turnLeft = runtime.Limits.SliceSteps;
            }
            // Every slice costs its turn at least a step, however few it ran.
            turnLeft -= Math.Max(1, RunSlice(process, turnLeft));
            slicesSinceWrite++;
        }
    }

    /// <summary>
    /// The process for a new turn: from the shared queue on every other turn, then from this
    /// thread's own queue, the shared queue, another thread's queue (stealing half of it); else
    /// it sleeps until woken. Null when the batch must first write what it deferred (outside any
    /// lock), or after a sleep (the caller looks again); with <paramref name="stop"/> when the scheduler stops.
    /// </summary>
    private Process? NextProcess(LocalRunQueue own, int self, int turn, out bool stop)
    {
        stop = false;
        if ((turn & 1) == 0 && TakeShared() is { } fromOutside) return fromOutside;
        if ((own.TryTake() ?? TakeShared() ?? Steal(own, self)) is { } process) return process;
        lock (_shared)
        {
            if (_shared.TryDequeue(out var queued))
            {
                Volatile.Write(ref _sharedCount, _shared.Count);
                return queued;
            }
            // Nothing more to run: the batch ends, and what it sent is written first.
            if (SchedulerBatch.HasPending) return null;
            if (_stopping)
            {
                stop = true;
                return null;
            }
            Volatile.Write(ref _wakePending, 0);
            // The full fence of the increment: a thread queueing on its own queue after it sees
            // this one idle (and wakes it); one that queued before is seen by the look below.
            Interlocked.Increment(ref _idleThreads);
            if (!AnyQueued()) Monitor.Wait(_shared);
            Interlocked.Decrement(ref _idleThreads);
            Volatile.Write(ref _wakePending, 0);
            return null;
        }
    }

    private Process? TakeShared()
    {
        if (Volatile.Read(ref _sharedCount) == 0) return null;
        lock (_shared)
        {
            if (!_shared.TryDequeue(out var process)) return null;
            Volatile.Write(ref _sharedCount, _shared.Count);
            return process;
        }
    }

    /// <summary>The older half of the first other thread's queue that has any, looking from the next thread on.</summary>
    private Process? Steal(LocalRunQueue own, int self)
    {
        var queues = _queues!;
        for (int i = 1; i < queues.Length; i++)
        {
            if (queues[(self + i) % queues.Length].StealHalfInto(own, t_stolen!) is { } stolen) return stolen;
        }
        return null;
    }

    private bool AnyQueued()
    {
        foreach (var queue in _queues!)
        {
            if (queue.Count > 0) return true;
        }
        return false;
    }

    /// <summary>One slice of a process a lent thread held (see <see cref="LentThread"/>), on that thread.</summary>
    internal void RunLent(Process process) => RunSlice(process, runtime.Limits.SliceSteps);

    /// <summary>
    /// One slice of one process, of at most <paramref name="steps"/> steps, then what follows:
    /// queued again, parked, or ended. Returns the steps it ran.
    /// </summary>
    private long RunSlice(Process process, long steps)
    {
        if (process.RunsOnRequest) return RunDrivenSlice(process, process.CurrentRun!, steps);
        if (process.KillRequested)
        {
            runtime.Finish(process, DownReason.Killed, null);
            return 0;
        }
        var machine = process.Machine!;
        process.State = ProcessRunState.Running;
        long slice = Math.Min(steps, process.StepsLeft);
        var (end, result, ran) = machine.RunProcessSlice(slice);
        process.StepsLeft -= ran;
        process.Steps += ran;
        switch (end)
        {
            case SliceEnd.Ended:
                runtime.Finish(process, ReasonOf(result), result);
                break;
            case SliceEnd.Waiting:
                if (!process.TryPark()) Requeue(process);
                break;
            default:
                if (process.StepsLeft == 0)
                {
                    // The process's --max-steps is used up: STEPS, as a run's budget ends a run.
                    runtime.Finish(process, DownReason.Crashed, machine.OutOfSteps());
                }
                else Requeue(process);
                break;
        }
        return ran;
    }

    /// <summary>
    /// One slice of a run its host asked for (a driven process's, a hosted one's handed over): its end (a stop, a fault, the run's budget spent, an
    /// interrupt) ends the run and leaves the process idle, not ended; a kill ends both.
    /// </summary>
    private long RunDrivenSlice(Process process, DrivenRun run, long steps)
    {
        var machine = process.Machine!;
        if (process.KillRequested || run.InterruptRequested)
        {
            EndRun(process, run, machine.InterruptedAtPc());
            return 0;
        }
        process.State = ProcessRunState.Running;
        var (end, result, ran) = machine.RunProcessSlice(Math.Min(steps, run.StepsLeft));
        run.StepsLeft -= ran;
        process.Steps += ran;
        if (end == SliceEnd.Waiting)
        {
            if (!process.TryPark()) Requeue(process);
        }
        else if (end == SliceEnd.OutOfSlice && run.StepsLeft > 0) Requeue(process);
        else EndRun(process, run, result);
        return ran;
    }

    private void EndRun(Process process, DrivenRun run, ExecutionResult result)
    {
        if (process.EndRun()) runtime.Finish(process, DownReason.Killed, null);
        run.Complete(result);
    }

    private void Requeue(Process process)
    {
        process.State = ProcessRunState.Runnable;
        Enqueue(process, mayHold: false);
    }

    internal static DownReason ReasonOf(ExecutionResult result) => result.Status switch
    {
        ExecutionStatus.Stopped => result.Code == (int)StopCode.Halt ? DownReason.Halted : DownReason.Stopped,
        ExecutionStatus.Faulted => DownReason.Crashed,
        _ => DownReason.Killed,
    };
}
