namespace Iridium.Vm;

/// <summary>
/// One process: a VM with its mailbox, handle table, monitors and name, a member of a group.
/// Scheduled (run in slices by the runtime's scheduler threads: every SPAWNed process), hosted
/// (run by its host's own thread, as the program of `iridium run`, until an instruction must
/// wait: the rest of that run then goes on the scheduler, see <see cref="ProcessRuntime.RunHandedOver"/>),
/// or driven (run on the scheduler one run at a time, as its host asks: the REPL's VMs; see
/// <see cref="IsDriven"/>). Its lock guards its state, mailbox, handle table, watchers
/// and current run; the process's own thread touches the handle table, any thread may post to
/// the mailbox.
/// <para>
/// A process on another member is a stand-in (<see cref="Remote"/> set): no VM, mailbox or group
/// of its own here; what is posted to it or asked of it goes to the runtime's
/// <see cref="IProcessNetwork"/>.
/// </para>
/// </summary>
public sealed class Process
{
    /// <summary>The group of every stand-in: a remote process's group lives on its node.</summary>
    private static readonly ProcessGroup Elsewhere = new(Stream.Null);

    private Machine? _machine;
    private List<Process>? _watchers;
    private ITimer? _timer;
    private readonly string? _remoteAlias;
    private DrivenRun? _run;   // a driven process's run now; null between runs

    internal Process(ProcessRuntime runtime, long serial, Machine machine, ProcessGroup group, Process? parent, bool hosted, bool driven = false)
    {
        Runtime = runtime;
        Serial = serial;
        _machine = machine;
        Group = group;
        Parent = parent;
        IsHosted = hosted;
        IsDriven = driven;
        Handles = new HandleTable(this, parent);
        // A driven process's runs carry their own budgets.
        StepsLeft = hosted || driven ? long.MaxValue : group.Options?.MaxSteps ?? runtime.Limits.MaxSteps ?? long.MaxValue;
    }

    /// <summary>A stand-in for process <paramref name="remote"/> of the member called <paramref name="alias"/>.</summary>
    internal Process(ProcessRuntime runtime, RemoteProcessId remote, string alias)
    {
        Runtime = runtime;
        Serial = remote.Serial;
        Remote = remote;
        _remoteAlias = alias;
        Group = Elsewhere;
        // A stand-in never runs an instruction: its handle table stays empty.
    }

    /// <summary>Where the process lives when it is on another member; null for a process of this runtime.</summary>
    public RemoteProcessId? Remote { get; }

    /// <summary>
    /// Its handle in its parent's table, given when the parent spawned it (0: none; a dropped
    /// handle's slot may hold another process since): read and written by the parent's thread only.
    /// </summary>
    internal int HandleInParent { get; set; }

    /// <summary>The answer a SPAWN, WHERE or store instruction waits on, if any (guarded by its lock).</summary>
    internal PendingAnswer? PendingCall { get; set; }

    internal ProcessRuntime Runtime { get; }

    /// <summary>Unique in its runtime (for a stand-in: in its node's), never reused while it lives.</summary>
    public long Serial { get; }

    /// <summary>ALIAS.N, or N when the runtime has no alias.</summary>
    public string Id => _remoteAlias is not null ? $"{_remoteAlias}.{Serial}" : Runtime.Alias is null ? Serial.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Runtime.Alias}.{Serial}";

    public ProcessGroup Group { get; }

    public Process? Parent { get; }

    /// <summary>Run by its host's thread rather than the scheduler's until it waits (see the class summary).</summary>
    public bool IsHosted { get; }

    /// <summary>
    /// Runs on the scheduler only within a run its host asked for (<see cref="CurrentRun"/>): a
    /// driven process, and a hosted one once its run was handed over.
    /// </summary>
    internal bool RunsOnRequest => IsDriven || IsHosted;

    /// <summary>
    /// Run by its host one run at a time, each on the scheduler (<see cref="ProcessRuntime.RunAsync"/>:
    /// a REPL's typed line, a loaded program). Between runs it is alive and idle: it shows as
    /// waiting, holds no thread, takes no steps, and its mailbox fills for the next run to read.
    /// </summary>
    public bool IsDriven { get; }

    /// <summary>A driven process's host hears of its end here (a kill, or its session's end).</summary>
    internal Action? WhenEnded { get; init; }

    public ProcessRunState State { get; internal set; }

    /// <summary>Why it ended; meaningful once <see cref="State"/> is Ended.</summary>
    public DownReason EndReason { get; private set; }

    /// <summary>The name REG gave it, until it ends.</summary>
    public string? Name { get; internal set; }

    /// <summary>The VM; null once a scheduled process has ended (its memory goes back).</summary>
    internal Machine? Machine => _machine;

    /// <summary>Its letters (guarded by its lock). A field: the struct is used in place, never copied.</summary>
    internal Mailbox Mailbox;

    /// <summary>Its handles (touched by its own thread only). A field: the struct is used in place, never copied.</summary>
    internal HandleTable Handles;

    /// <summary>Steps this process may still run (its share of --max-steps).</summary>
    internal long StepsLeft { get; set; }

    /// <summary>Asked to stop (kill, Ctrl-C, the group's end): honoured at the next slice or wake.</summary>
    internal bool KillRequested { get; private set; }

    /// <summary>The RECV now waiting has a deadline at <see cref="Deadline"/> (clock ms).</summary>
    internal bool HasDeadline { get; set; }

    internal long Deadline { get; set; }

    /// <summary>Messages in the mailbox now.</summary>
    public int MailboxLength
    {
        get
        {
            lock (this) return Mailbox.Count;
        }
    }

    /// <summary>Messages refused because the mailbox was full.</summary>
    public long Dropped
    {
        get
        {
            lock (this) return Mailbox.Dropped;
        }
    }

    /// <summary>Steps run so far (what `ps` shows); exact once it has ended.</summary>
    public long Steps { get; internal set; }

    /// <summary>When it was created (<see cref="Environment.TickCount64"/>): its age in `ps`.</summary>
    public long StartedAtMs { get; } = Environment.TickCount64;

    /// <summary>Its heap's size now; 0 once it has ended.</summary>
    public long HeapBytes => _machine?.HeapLength ?? 0;

    public override string ToString() => Id;

    /// <summary>Called after a letter was posted (outside the lock): how a <see cref="Correspondent"/>'s host hears of one.</summary>
    internal Action? LetterPosted { get; set; }

    /// <summary>Posts a message; false when this process has ended or its mailbox is full.</summary>
    public bool TryPost(Process sender, byte[] payload)
    {
        if (Remote is not null) return Runtime.Network?.Send(sender, this, payload) ?? false;
        bool wake;
        lock (this)
        {
            if (State == ProcessRunState.Ended) return false;
            if (!Mailbox.TryAdd(Letter.Message(sender, payload), Runtime.Limits.MailboxMessages, Runtime.Limits.MailboxBytes)) return false;
            wake = WakeLocked();
        }
        if (wake) Runtime.Scheduler.Enqueue(this);
        LetterPosted?.Invoke();
        return true;
    }

    /// <summary>Asks for a down notice to <paramref name="watcher"/> when this process ends; reason 5 at once when it already has.</summary>
    public void AddWatcher(Process watcher)
    {
        if (Remote is not null)
        {
            if (Runtime.Network is { } network) network.Monitor(watcher, this);
            else watcher.PostNotice(this, DownReason.NodeLost);
            return;
        }
        lock (this)
        {
            if (State != ProcessRunState.Ended)
            {
                (_watchers ??= []).Add(watcher);
                return;
            }
        }
        watcher.PostNotice(this, DownReason.NoSuchProcess);
    }

    public void PostNotice(Process about, DownReason reason)
    {
        if (Remote is not null)
        {
            Runtime.Network?.Notify(this, about, reason);
            return;
        }
        bool wake;
        lock (this)
        {
            if (State == ProcessRunState.Ended) return;
            Mailbox.AddNotice(Letter.Down(about, reason));
            wake = WakeLocked();
        }
        if (wake) Runtime.Scheduler.Enqueue(this);
        LetterPosted?.Invoke();
    }

    /// <summary>
    /// Asks the process to stop; a waiting one is woken to do so, and a driven one between runs
    /// ends at once (nothing of it runs). False when it has already ended.
    /// </summary>
    internal bool RequestKill()
    {
        if (Remote is not null) return false;
        bool wake, endNow;
        lock (this)
        {
            if (State == ProcessRunState.Ended) return false;
            endNow = IsDriven && _run is null && !KillRequested;
            KillRequested = true;
            wake = !endNow && WakeLocked();
        }
        if (endNow) Runtime.Finish(this, DownReason.Killed, null);
        else if (wake) Runtime.Scheduler.Enqueue(this);
        return true;
    }

    /// <summary>A driven process runs what its host asked (a line, a program), rather than idling between runs.</summary>
    public bool IsInRun => CurrentRun is not null;

    /// <summary>A driven process's run now; null between runs.</summary>
    internal DrivenRun? CurrentRun
    {
        get
        {
            lock (this) return _run;
        }
    }

    /// <summary>
    /// A driven process's host starts <paramref name="run"/>: true when the caller must queue the
    /// process; false when it has ended or is being killed (nothing runs).
    /// </summary>
    internal bool TryBeginRun(DrivenRun run)
    {
        lock (this)
        {
            if (State == ProcessRunState.Ended || KillRequested || _run is not null) return false;
            _run = run;
            State = ProcessRunState.Runnable;
            return true;
        }
    }

    /// <summary>The host interrupts <paramref name="run"/> (Ctrl-C): a waiting RECV is woken to end it.</summary>
    internal void InterruptRun(DrivenRun run)
    {
        bool wake;
        lock (this)
        {
            if (_run != run) return;
            run.InterruptRequested = true;
            wake = WakeLocked();
        }
        if (wake) Runtime.Scheduler.Enqueue(this);
    }

    /// <summary>
    /// A driven process's run is over: the process is idle (a RECV, or an answer, it waited for is
    /// abandoned: the next run executes the instruction afresh, as if the answer had never come);
    /// a hosted one is back with its host. True when a kill came meanwhile: the caller ends the process.
    /// </summary>
    internal bool EndRun()
    {
        lock (this)
        {
            _run = null;
            HasDeadline = false;
            PendingCall = null;
            DisarmTimerLocked();
            State = IsHosted ? ProcessRunState.Running : ProcessRunState.Waiting;
            return KillRequested;
        }
    }

    /// <summary>
    /// Under the lock: a waiting process has something to do: it becomes runnable, and the
    /// caller queues it (outside the lock).
    /// </summary>
    private bool WakeLocked()
    {
        if (State != ProcessRunState.Waiting) return false;
        if (RunsOnRequest && _run is null) return false;   // idle between runs: the next run takes the letter
        State = ProcessRunState.Runnable;
        DisarmTimerLocked();
        return true;
    }

    /// <summary>
    /// A process's RECV on the scheduler found nothing: it waits unless a letter, a kill or its
    /// deadline came in between. False: it must run again at once.
    /// </summary>
    internal bool TryPark()
    {
        lock (this)
        {
            if (KillRequested || _run is { InterruptRequested: true } || HasWorkLocked() || (HasDeadline && Runtime.NowMilliseconds >= Deadline)) return false;
            State = ProcessRunState.Waiting;
            if (HasDeadline) ArmTimerLocked();
            return true;
        }
    }

    /// <summary>
    /// Under the lock: what the waiting instruction waits for is here. A SPAWN, WHERE or store
    /// instruction waits for its answer only (letters arriving meanwhile wait their turn); a RECV for a letter.
    /// </summary>
    private bool HasWorkLocked() => PendingCall is { } call ? call.IsDone : Mailbox.Count > 0;

    /// <summary>The answer to <paramref name="call"/> is in it: the process runs its instruction again to take it.</summary>
    internal void AnswerArrived(PendingAnswer call)
    {
        bool wake;
        lock (this)
        {
            if (!ReferenceEquals(PendingCall, call) || call.IsDone) return;
            call.IsDone = true;
            wake = WakeLocked();
        }
        if (wake) Runtime.Scheduler.Enqueue(this);
    }

    private void ArmTimerLocked()
    {
        DisarmTimerLocked();
        long due = Math.Max(0, Deadline - Runtime.NowMilliseconds);
        _timer = Runtime.Clock.CreateTimer(static p => ((Process)p!).DeadlinePassed(), this, TimeSpan.FromMilliseconds(due), Timeout.InfiniteTimeSpan);
    }

    private void DisarmTimerLocked()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private void DeadlinePassed()
    {
        bool wake;
        lock (this)
        {
            if (State != ProcessRunState.Waiting || !HasDeadline) return;
            if (Runtime.NowMilliseconds < Deadline)
            {
                // The timer fired early by the clock's reckoning (its ticks are coarser, and the
                // clock's milliseconds are truncated): wait the rest, or the RECV waits for ever.
                ArmTimerLocked();
                return;
            }
            wake = WakeLocked();
        }
        if (wake) Runtime.Scheduler.Enqueue(this);
    }

    /// <summary>
    /// Marks the process ended (under its lock, so no letter or watcher arrives after) and
    /// returns the watchers to notify. The mailbox, timer and, for a scheduled process, the VM
    /// are let go.
    /// </summary>
    internal List<Process>? End(DownReason reason)
    {
        lock (this)
        {
            State = ProcessRunState.Ended;
            EndReason = reason;
            DisarmTimerLocked();
            Mailbox.Clear();
            var watchers = _watchers;
            _watchers = null;
            if (!IsHosted) _machine = null;
            return watchers;
        }
    }
}
