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
/// </summary>
internal sealed class Scheduler(ProcessRuntime runtime) : IDisposable
{
    [ThreadStatic]
    private static Scheduler? t_current;   // the scheduler whose thread this is, if any

    private readonly Queue<Process> _runnable = new();
    private Thread[]? _threads;
    private int _idleThreads;
    private bool _stopping;

    /// <summary>
    /// Queues a runnable process (it must not be queued already). An idle thread is woken
    /// unless the caller is one of this scheduler's threads and the queue held nothing: that
    /// thread takes the process itself when its slice ends, which is soon when it is about to
    /// wait (a message passed along a chain of processes would otherwise wake a thread per hop,
    /// a system call each, for no parallelism).
    /// A thread lent to the scheduler (<see cref="LentThread"/>) takes the process itself instead
    /// when nothing else is queued, and no thread is woken.
    /// </summary>
    public void Enqueue(Process process) => Enqueue(process, mayLend: true);

    /// <summary><paramref name="mayLend"/> false: a process runs again after its slice, and goes to the queue whatever thread ran it (a lent thread runs one slice of each).</summary>
    private void Enqueue(Process process, bool mayLend)
    {
        lock (_runnable)
        {
            if (mayLend && _runnable.Count == 0 && _threads is not null && !_stopping && LentThread.TryHold(this, process)) return;
            _runnable.Enqueue(process);
            if (_threads is null) StartThreads();
            else if (_idleThreads > 0 && (t_current != this || _runnable.Count > 1)) Monitor.Pulse(_runnable);
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
        while (true)
        {
            if (slicesSinceWrite >= SchedulerBatch.MaxSlices)
            {
                SchedulerBatch.WritePending();
                slicesSinceWrite = 0;
            }
            Process? process = null;
            lock (_runnable)
            {
                while (_runnable.Count == 0)
                {
                    // Nothing more to run: the batch ends, and what it sent is written (outside the lock) first.
                    if (SchedulerBatch.HasPending) break;
                    if (_stopping) return;
                    _idleThreads++;
                    Monitor.Wait(_runnable);
                    _idleThreads--;
                }
                if (_runnable.Count > 0) process = _runnable.Dequeue();
            }
            if (process is null)
            {
                SchedulerBatch.WritePending();
                slicesSinceWrite = 0;
                continue;
            }
            RunSlice(process);
            slicesSinceWrite++;
        }
    }

    /// <summary>One slice of a process a lent thread held (see <see cref="LentThread"/>), on that thread.</summary>
    internal void RunLent(Process process) => RunSlice(process);

    /// <summary>One slice of one process, then what follows: queued again, parked, or ended.</summary>
    private void RunSlice(Process process)
    {
        if (process.IsDriven)
        {
            RunDrivenSlice(process, process.CurrentRun!);
            return;
        }
        if (process.KillRequested)
        {
            runtime.Finish(process, DownReason.Killed, null);
            return;
        }
        var machine = process.Machine!;
        process.State = ProcessRunState.Running;
        long slice = Math.Min(runtime.Limits.SliceSteps, process.StepsLeft);
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
    }

    /// <summary>
    /// One slice of a driven process's run: its end (a stop, a fault, the run's budget spent, an
    /// interrupt) ends the run and leaves the process idle, not ended; a kill ends both.
    /// </summary>
    private void RunDrivenSlice(Process process, DrivenRun run)
    {
        var machine = process.Machine!;
        if (process.KillRequested || run.InterruptRequested)
        {
            EndRun(process, run, machine.InterruptedAtPc());
            return;
        }
        process.State = ProcessRunState.Running;
        var (end, result, ran) = machine.RunProcessSlice(Math.Min(runtime.Limits.SliceSteps, run.StepsLeft));
        run.StepsLeft -= ran;
        process.Steps += ran;
        if (end == SliceEnd.Waiting)
        {
            if (!process.TryPark()) Requeue(process);
        }
        else if (end == SliceEnd.OutOfSlice && run.StepsLeft > 0) Requeue(process);
        else EndRun(process, run, result);
    }

    private void EndRun(Process process, DrivenRun run, ExecutionResult result)
    {
        if (process.EndRun()) runtime.Finish(process, DownReason.Killed, null);
        run.Complete(result);
    }

    private void Requeue(Process process)
    {
        process.State = ProcessRunState.Runnable;
        Enqueue(process, mayLend: false);
    }

    internal static DownReason ReasonOf(ExecutionResult result) => result.Status switch
    {
        ExecutionStatus.Stopped => result.Code == (int)StopCode.Halt ? DownReason.Halted : DownReason.Stopped,
        ExecutionStatus.Faulted => DownReason.Crashed,
        _ => DownReason.Killed,
    };
}
