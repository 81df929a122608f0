namespace Iridium.Vm;

/// <summary>
/// Runs the runtime's scheduled processes on a fixed set of threads, each process a slice of at
/// most <see cref="ProcessLimits.SliceSteps"/> steps at a time, in the order they became
/// runnable. A waiting process is in no queue: whoever wakes it (a sender, a kill, its RECV's
/// timer) queues it again. The threads start with the first runnable process, so a host whose
/// program never spawns starts none. They are background threads: they never keep the host's
/// process alive. What a thread's slices send to other members is written when its batch ends
/// (<see cref="SchedulerBatch"/>): before it sleeps, and every <see cref="SchedulerBatch.MaxSlices"/>
/// slices while it is busy; a thread never sleeps with a write pending.
/// <para>
/// A thread's turn: the first process a slice wakes is not queued but kept by the thread
/// (<see cref="t_next"/>), which runs it when the slice ends, for what is left of the
/// <see cref="ProcessLimits.SliceSteps"/> of its turn, as BEAM runs a process woken by a send on
/// the sender's scheduler. A message passed along a chain of processes then goes from one to the
/// next with no lock of the shared queue and no other thread involved; the turn's bound keeps it
/// fair (what the turn did not finish goes to the queue's tail, behind everything queued meanwhile).
/// </para>
/// </summary>
internal sealed class Scheduler(ProcessRuntime runtime) : IDisposable
{
    [ThreadStatic]
    private static Scheduler? t_current;   // the scheduler whose thread this is, if any

    [ThreadStatic]
    private static Process? t_next;        // woken by this thread's turn: runs next, in the same turn

    private readonly Queue<Process> _runnable = new();
    private Thread[]? _threads;
    private int _idleThreads;
    private bool _stopping;

    /// <summary>
    /// Queues a runnable process (it must not be queued already). On one of this scheduler's
    /// threads, the first process woken in a turn is kept by the thread instead (see the class
    /// summary). Otherwise an idle thread is woken unless the caller is one of this scheduler's
    /// threads with nothing kept and the queue held nothing: that thread takes the process itself
    /// when its slice ends, which is soon when it is about to wait (a message passed along a chain
    /// of processes would otherwise wake a thread per hop, a system call each, for no parallelism).
    /// A thread lent to the scheduler (<see cref="LentThread"/>) takes the process itself instead
    /// when nothing else is queued, and no thread is woken.
    /// </summary>
    public void Enqueue(Process process) => Enqueue(process, mayHold: true);

    /// <summary><paramref name="mayHold"/> false: a process runs again after its slice, and goes to the queue whatever thread ran it (a lent thread runs one slice of each).</summary>
    private void Enqueue(Process process, bool mayHold)
    {
        bool onOwnThread = t_current == this;
        if (mayHold && onOwnThread && t_next is null)
        {
            t_next = process;
            return;
        }
        lock (_runnable)
        {
            if (mayHold && _runnable.Count == 0 && _threads is not null && !_stopping && LentThread.TryHold(this, process)) return;
            _runnable.Enqueue(process);
            if (_threads is null) StartThreads();
            else if (_idleThreads > 0 && (!onOwnThread || t_next is not null || _runnable.Count > 1)) Monitor.Pulse(_runnable);
        }
    }

    public void Dispose()
    {
        lock (_runnable)
        {
            _stopping = true;
            Monitor.PulseAll(_runnable);
        }
    }

    private void StartThreads()
    {
        _threads = new Thread[runtime.Limits.Schedulers];
        for (int i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"iridium scheduler {i}" };
            _threads[i].Start();
        }
    }

    private void Work()
    {
        t_current = this;
        SchedulerBatch.Enter();
        int slicesSinceWrite = 0;
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
                process = TakeQueued(out bool stop);
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
    /// The oldest queued process, waiting for one while there is none; null when the batch must
    /// first write what it deferred (outside the lock), or with <paramref name="stop"/> when the scheduler stops.
    /// </summary>
    private Process? TakeQueued(out bool stop)
    {
        stop = false;
        lock (_runnable)
        {
            while (_runnable.Count == 0)
            {
                // Nothing more to run: the batch ends, and what it sent is written first.
                if (SchedulerBatch.HasPending) return null;
                if (_stopping)
                {
                    stop = true;
                    return null;
                }
                _idleThreads++;
                Monitor.Wait(_runnable);
                _idleThreads--;
            }
            return _runnable.Dequeue();
        }
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
