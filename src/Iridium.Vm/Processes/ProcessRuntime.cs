namespace Iridium.Vm;

/// <summary>
/// The processes of one host (a node, or one `iridium run`): the process table, the names, the
/// limits, the clock of RECV timeouts and the scheduler. Creating one costs a few objects and no
/// thread; a program that never uses a process instruction never touches it.
/// </summary>
public sealed class ProcessRuntime : IDisposable
{
    private readonly ProcessTable _table = new();
    private readonly Dictionary<string, Process> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<RemoteProcessId, WeakReference<Process>> _standIns = [];
    private int _standInsSwept = 64;
    private long _lastSerial;
    private int _living;

    /// <param name="limits">Null: the defaults.</param>
    /// <param name="clock">The clock of RECV timeouts; tests pass one they advance by hand. Null: the system's.</param>
    /// <param name="alias">The node alias that prefixes process ids (ALIAS.N); null for none.</param>
    public ProcessRuntime(ProcessLimits? limits = null, TimeProvider? clock = null, string? alias = null)
    {
        Limits = limits ?? new ProcessLimits();
        Limits.Validate();
        Clock = clock ?? TimeProvider.System;
        Alias = alias;
        Scheduler = new Scheduler(this);
    }

    public ProcessLimits Limits { get; }

    public string? Alias { get; }

    internal TimeProvider Clock { get; }

    internal Scheduler Scheduler { get; }

    internal long NowMilliseconds => (long)Clock.GetElapsedTime(0, Clock.GetTimestamp()).TotalMilliseconds;

    /// <summary>
    /// Processes on other members, when this runtime is a node's (set once, before its first
    /// process runs); null on a single host.
    /// </summary>
    public IProcessNetwork? Network { get; set; }

    /// <summary>
    /// The replicated store, when this runtime is a node's that can reach it (set before its
    /// programs use it); null: every store instruction answers "unavailable" at once.
    /// </summary>
    public IStoreAccess? Store { get; set; }

    /// <summary>NODES: up members, this node included, and this node's index (one node, index 0, without a network).</summary>
    public int MemberCount => Network?.MemberCount ?? 1;

    public int ThisMemberIndex => Network?.ThisMemberIndex ?? 0;

    /// <summary>
    /// The one stand-in for process <paramref name="id"/> of member <paramref name="alias"/>: the
    /// same remote process is always the same object here, so it has one handle in a table.
    /// Stand-ins no table, letter or watcher holds any more are forgotten.
    /// </summary>
    public Process RemoteProcess(RemoteProcessId id, string alias)
    {
        lock (_standIns)
        {
            if (_standIns.TryGetValue(id, out var weak) && weak.TryGetTarget(out var known)) return known;
            var standIn = new Process(this, id, alias);
            _standIns[id] = new WeakReference<Process>(standIn);
            if (_standIns.Count >= _standInsSwept * 2) SweepStandIns();
            return standIn;
        }
    }

    /// <summary>Drops the entries of collected stand-ins; the next sweep waits until the table has doubled again.</summary>
    private void SweepStandIns()
    {
        foreach (var (id, weak) in _standIns)
        {
            if (!weak.TryGetTarget(out _)) _standIns.Remove(id);
        }
        _standInsSwept = Math.Max(64, _standIns.Count);
    }

    /// <summary>
    /// SPAWN from another member: a process running <paramref name="image"/> from
    /// <paramref name="pcAddress"/> with R0 = <paramref name="r0"/>, whose handle 1 is its remote
    /// <paramref name="parent"/>, the root of a new group here whose output goes to
    /// <paramref name="output"/>: the part here of the parent's group <paramref name="partOf"/>
    /// (its id, what <see cref="ProcessGroup.Id"/> says; null: the child names its own group). Null when the
    /// process limit refuses it. A pc that is not a code address faults JUMP in the child, as it
    /// would have in its parent.
    /// </summary>
    public Process? SpawnForRemote(Process parent, ProcessImage image, int pcAddress, int r0, Stream output, int heapCap, HeapBudget? heapBudget, string? partOf = null)
    {
        ArgumentNullException.ThrowIfNull(parent);
        if (parent.Remote is null) throw new ArgumentException("the parent of a process spawned for another member is a stand-in", nameof(parent));
        var child = Machine.ForProcess(image, pcAddress, r0, this, heapCap, heapBudget, diagnostics: null);
        var group = new ProcessGroup(output) { PartOf = partOf };
        var process = Add(child, group, parent, hosted: false);
        if (process is null) return null;
        child.Output = new ProcessOutput(group);
        Scheduler.Enqueue(process);
        return process;
    }

    /// <summary>Processes that have not ended.</summary>
    public int Count => Volatile.Read(ref _living);

    /// <summary>
    /// Makes <paramref name="machine"/> the hosted root of a new group (its host keeps running
    /// it on its own thread until an instruction must wait: <see cref="RunHandedOver"/>). Its output, and its group's, goes to what
    /// was its <see cref="Machine.Output"/>, a whole line at a time.
    /// </summary>
    public Process Adopt(Machine machine)
    {
        if (machine.Process is { } existing) return existing;
        var group = new ProcessGroup(machine.Output);
        var process = Add(machine, group, parent: null, hosted: true)!;
        machine.Output = new ProcessOutput(group);
        return process;
    }

    /// <summary>
    /// Starts <paramref name="machine"/>, its image loaded, as the scheduled root of a new group
    /// whose output goes to <paramref name="output"/>: the whole program runs on the scheduler.
    /// <paramref name="options"/>: the members' budget and what the host hears of the root.
    /// Null when the process limit refuses it, or the image is invalid.
    /// </summary>
    public Process? Start(Machine machine, Stream output, GroupOptions? options = null)
    {
        if (!machine.PrepareToStart()) return null;
        var group = new ProcessGroup(output, options) { KeepsLonePrints = true };
        machine.Output = new ProcessOutput(group);
        var process = Add(machine, group, parent: null, hosted: false);
        if (process is null) return null;
        options?.Started?.Invoke(process);
        Scheduler.Enqueue(process);
        return process;
    }

    /// <summary>
    /// A new <see cref="Correspondent"/>, the root of a group of its own whose owner is
    /// <paramref name="owner"/> (what `ps` says of it); null when the process limit refuses it.
    /// </summary>
    public Correspondent? OpenCorrespondent(object? owner)
    {
        var group = new ProcessGroup(Stream.Null, new GroupOptions { Owner = owner });
        var process = Add(new Machine(alias: Alias), group, parent: null, hosted: true);
        return process is null ? null : new Correspondent(this, process);
    }

    /// <summary>
    /// Makes <paramref name="machine"/> the driven root of a new group (see
    /// <see cref="Process.IsDriven"/>): it runs only when its host asks (<see cref="RunAsync"/>).
    /// Its own output goes where its <see cref="Machine.Output"/> already goes, at once and
    /// unbuffered (a REPL shows a typed line's output as it comes); its group's other members
    /// write to <paramref name="groupOutput"/>, a whole line at a time. <paramref name="ended"/>
    /// hears when the process ends other than by a run (a kill). Null when the process limit refuses it.
    /// </summary>
    public Process? StartDriven(Machine machine, Stream groupOutput, Action? ended = null)
    {
        machine.Runtime = this;
        var process = Add(machine, new ProcessGroup(groupOutput), parent: null, hosted: false, driven: true, ended);
        if (process is not null) process.State = ProcessRunState.Waiting;   // idle until its first run
        return process;
    }

    /// <summary>
    /// Runs the driven <paramref name="process"/> from its pc, on the scheduler, for at most
    /// <paramref name="steps"/> steps, as <see cref="Machine.Continue"/> would on this thread: the
    /// result is how it stopped or faulted, <see cref="ExecutionStatus.Running"/> when the steps
    /// ran out, or <see cref="ExecutionStatus.Interrupted"/> (pc on the instruction that would run
    /// next, a waiting RECV included) when <paramref name="interrupt"/> fired or the process was
    /// killed. A RECV with nothing to take waits holding no thread and taking no steps. One run at a time.
    /// </summary>
    public async Task<ExecutionResult> RunAsync(Process process, long steps, CancellationToken interrupt = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (!process.IsDriven) throw new InvalidOperationException("only a driven process runs on its host's request");
        var run = new DrivenRun(steps);
        if (!process.TryBeginRun(run)) return new ExecutionResult(ExecutionStatus.Interrupted, 0, process.Machine?.Pc ?? 0);
        using (InterruptOnCancel(process, run, interrupt))
        {
            Scheduler.Enqueue(process);
            return await run.Result.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A hosted process's instruction must wait (a RECV with nothing to take, an answer to
    /// come): the rest of its run, from pc, goes on the scheduler as a driven run does, at most
    /// <paramref name="steps"/> more, and the host's thread blocks until it ends, with the result
    /// <see cref="RunAsync"/> gives. Blocking the host's thread until each letter came instead
    /// would wake it for every letter, and a scheduler thread for every message it then sent:
    /// two threads woken per message the root exchanges with its group, each a system call and
    /// a wait for a processor (a ring of a thousand processes whose token passes the root, and a
    /// quiet machine's cores doubled its time; tools/bench/processes.sh). On the scheduler, the
    /// root is one more process: a letter to it is run next on the sender's thread, and so is what
    /// it sends. A kill asked before the hand-over ends the run at once (interrupted, pc on the
    /// instruction, as a kill during it).
    /// </summary>
    internal ExecutionResult RunHandedOver(Process process, long steps, CancellationToken interrupt)
    {
        var run = new DrivenRun(steps);
        if (!process.TryBeginRun(run))
        {
            process.EndRun();   // drops the answer it may have asked for: a later run asks afresh
            return process.Machine!.InterruptedAtPc();
        }
        using (InterruptOnCancel(process, run, interrupt))
        {
            Scheduler.Enqueue(process);
            return run.Result.GetAwaiter().GetResult();
        }
    }

    private static CancellationTokenRegistration InterruptOnCancel(Process process, DrivenRun run, CancellationToken interrupt)
        => interrupt.UnsafeRegister(static state =>
        {
            var (process, run) = ((Process, DrivenRun))state!;
            process.InterruptRun(run);
        }, (process, run));

    /// <summary>
    /// A hosted root's run has ended with <paramref name="final"/>: the process ends (its
    /// watchers are told, its name freed). Returns its group, to wait for the rest; null when the
    /// machine never became a process.
    /// </summary>
    public ProcessGroup? EndHosted(Machine machine, ExecutionResult final)
    {
        if (machine.Process is not { IsHosted: true } process) return null;
        if (process.State != ProcessRunState.Ended) Finish(process, Scheduler.ReasonOf(final), null);
        return process.Group;
    }

    /// <summary>
    /// A serial no process of this runtime will have: for something its host lists beside the
    /// processes under the same ALIAS.N ids (a REPL's VMs that are not processes yet).
    /// </summary>
    public long ReserveSerial() => Interlocked.Increment(ref _lastSerial);

    /// <summary>SPAWN on this host: a child of <paramref name="parent"/> from code address <paramref name="pcAddress"/>; null when a limit refuses it.</summary>
    internal Process? Spawn(Process parent, ProcessImage image, int pcAddress, int r0)
    {
        var parentMachine = parent.Machine!;
        var child = Machine.ForProcess(image, pcAddress, r0, parentMachine);
        var process = Add(child, parent.Group, parent, hosted: false);
        if (process is null) return null;
        child.Output = new ProcessOutput(parent.Group);
        Scheduler.Enqueue(process);
        return process;
    }

    private Process? Add(Machine machine, ProcessGroup group, Process? parent, bool hosted, bool driven = false, Action? ended = null)
    {
        if (Interlocked.Increment(ref _living) > Limits.MaxProcesses)
        {
            Interlocked.Decrement(ref _living);
            return null;
        }
        var process = new Process(this, Interlocked.Increment(ref _lastSerial), machine, group, parent, hosted, driven) { WhenEnded = ended };
        group.Root ??= process;
        group.Join();
        machine.Process = process;
        _table.Add(process);
        return process;
    }

    /// <summary>
    /// A process has ended: its partial output goes out, watchers get their notices, its name
    /// and table entry go, its group learns it. <paramref name="result"/>: how its VM ended (null
    /// when killed before or between slices).
    /// </summary>
    internal void Finish(Process process, DownReason reason, ExecutionResult? result)
    {
        var machine = process.Machine;
        if (reason == DownReason.Crashed && result is { } crash && machine is not null)
        {
            machine.Diagnostics?.WriteLine($"iridium: process {process.Id} crashed: {FaultReport.Describe(machine, crash)}");
        }
        if (machine?.Output is ProcessOutput output)
        {
            try
            {
                output.Finish();
            }
            catch (IOException)
            {
                // A closed destination (`| head`): nothing more to show.
            }
        }
        if (process.Group.Root == process) process.Group.Options?.RootEnding?.Invoke(process, result);
        // A spawned process's VM is dropped at its end (nothing but the process holds it): no new
        // heap for it. A root's may stay with its host, which gets the usable heap ReleaseHeap leaves.
        if (process.Parent is not null) machine?.DropHeap();
        else if (!process.IsHosted) machine?.ReleaseHeap();
        var watchers = process.End(reason);
        if (process.Name is { } name)
        {
            lock (_names)
            {
                if (_names.TryGetValue(name, out var holder) && holder == process) _names.Remove(name);
            }
        }
        _table.Remove(process);
        Interlocked.Decrement(ref _living);
        if (watchers is not null)
        {
            foreach (var watcher in watchers) watcher.PostNotice(process, reason);
        }
        process.Group.Leave();
        process.WhenEnded?.Invoke();
    }

    /// <summary>REG: false when a living process holds the name or <paramref name="process"/> already has one.</summary>
    internal bool TryRegister(Process process, string name)
    {
        lock (_names)
        {
            if (process.Name is not null || _names.ContainsKey(name)) return false;
            _names[name] = process;
            process.Name = name;
            return true;
        }
    }

    /// <summary>The living process registered as <paramref name="name"/> on this host, if any.</summary>
    public Process? Lookup(string name)
    {
        lock (_names) return _names.TryGetValue(name, out var process) ? process : null;
    }

    /// <summary>The living process with this serial, if any.</summary>
    public Process? Find(long serial) => _table.Find(serial);

    /// <summary>Every living process, in serial order: what `ps` lists.</summary>
    public IReadOnlyList<Process> List() => _table.List();

    /// <summary>Stops one process (reason 3 to its watchers); false when there is none with this serial.</summary>
    public bool Kill(long serial) => Find(serial)?.RequestKill() ?? false;

    /// <summary>
    /// Stops every living member of <paramref name="group"/>; the first time, its parts on other
    /// members are told to stop too (<see cref="IProcessNetwork.GroupStopped"/>).
    /// </summary>
    public void KillGroup(ProcessGroup group)
    {
        if (group.MarkStopping()) Network?.GroupStopped(group);
        // A kill may end a process at once (one idle between runs), which takes it out of the table.
        foreach (var process in List())
        {
            if (process.Group == group) process.RequestKill();
        }
    }

    public void Dispose() => Scheduler.Dispose();
}
