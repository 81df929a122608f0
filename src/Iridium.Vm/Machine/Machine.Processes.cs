using System.Text.Unicode;

namespace Iridium.Vm;

/// <summary>What a slice of a scheduled process ended with (see <see cref="Machine.RunSlice"/>).</summary>
internal enum SliceEnd : byte
{
    /// <summary>The slice's steps are used up; the process can go on.</summary>
    OutOfSlice,
    /// <summary>A RECV found nothing to take: pc is on it, and it runs again once woken.</summary>
    Waiting,
    /// <summary>The program stopped or faulted.</summary>
    Ended,
}

/// <summary>
/// The machine as a process (docs/processes.md): its process and runtime, the process
/// instructions' work, and the seam the scheduler drives it through.
/// </summary>
public sealed unsafe partial class Machine
{
    /// <summary>
    /// What RECV returns when it must wait. The dispatch's fault exit is the one way a handler
    /// leaves the loop with pc on itself and nothing changed, which is what a wait needs; this
    /// value is not a fault code, and the machine turns it into a wait before anyone sees it.
    /// </summary>
    internal const FaultCode WaitSignal = (FaultCode)0xFF;

    private ProcessImage? _processImage;   // what this machine's children run; null until a SPAWN

    /// <summary>
    /// Where this machine's processes live. A host sets it to share one runtime (its limits,
    /// names and scheduler) between its machines; left null, the first process instruction
    /// makes a private one with the default limits.
    /// </summary>
    public ProcessRuntime? Runtime { get; set; }

    /// <summary>This machine's process; null until it became one (a process instruction, or its host adopted it).</summary>
    public Process? Process { get; internal set; }

    private Process EnsureProcess() => Process ?? (Runtime ??= new ProcessRuntime()).Adopt(this);

    /// <summary>A machine for a spawned process: shares <paramref name="image"/>, starts at <paramref name="pcAddress"/> with R0 = <paramref name="r0"/>.</summary>
    internal static Machine ForProcess(ProcessImage image, int pcAddress, int r0, Machine parent)
    {
        var child = ForProcess(image, pcAddress, r0, parent.Runtime, parent.HeapCap, parent.HeapBudget, parent.Diagnostics);
        child._useReferenceInterpreter = parent._useReferenceInterpreter;
        child._decoded = image.Decoded(child._useReferenceInterpreter);
        return child;
    }

    /// <summary>A machine for a process spawned without a parent machine here (SPAWN from another member).</summary>
    internal static Machine ForProcess(ProcessImage image, int pcAddress, int r0, ProcessRuntime? runtime, int heapCap, HeapBudget? heapBudget, TextWriter? diagnostics)
    {
        var child = new Machine(runtime, heapCap, heapBudget)
        {
            Diagnostics = diagnostics,
        };
        child._program = image.Program;
        child._programLength = image.Program.Length;
        child._roData = image.RoData;
        child._codeStart = image.CodeStart;
        child._decoded = image.Decoded(child._useReferenceInterpreter);
        child._processImage = image;
        child.Pc = pcAddress;
        child._cpu.R[0] = r0;
        return child;
    }

    /// <summary>A spawned process's machine: no stack until it pushes (an idle process is small).</summary>
    private Machine(ProcessRuntime? runtime, int heapCap, HeapBudget? heapBudget)
    {
        Id = VmIds.Next();
        _cpu.Vm = this;
        Runtime = runtime;
        _heapCap = heapCap;
        _heapBudget = heapBudget;
    }

    /// <summary>
    /// Reads the loaded image's header as <see cref="Run"/> does, without events, so the
    /// scheduler can start it at its first instruction; false when the image is invalid.
    /// </summary>
    internal bool PrepareToStart() => TryLoadLayout();

    /// <summary>
    /// The scheduler's one seam: one <see cref="RunSlice"/> of at most <paramref name="steps"/>
    /// instructions from pc, and how it ended, with the steps it executed (a RECV that waits
    /// executed none: it runs again, whole, once woken). What the process printed is flushed.
    /// </summary>
    internal (SliceEnd End, ExecutionResult Result, long Ran) RunProcessSlice(long steps)
    {
        var result = RunSlice(steps, out long executed, handOverWaits: false);
        FlushOutput();
        if (IsWait(result)) return (SliceEnd.Waiting, result, executed - 1);
        return (result.Status == ExecutionStatus.Running ? SliceEnd.OutOfSlice : SliceEnd.Ended, result, executed);
    }

    /// <summary>The result of a driven process's run interrupted at pc, before the instruction there (a waiting RECV: before it).</summary>
    internal ExecutionResult InterruptedAtPc() => LastResult = new ExecutionResult(ExecutionStatus.Interrupted, 0, Pc);

    /// <summary>The result of a process whose step budget ran out at pc (as a budgeted <see cref="Run"/> ends).</summary>
    internal ExecutionResult OutOfSteps() => LastResult = BudgetEnded();

    private static bool IsWait(ExecutionResult result) => result.Status == ExecutionStatus.Faulted && result.Code == (int)WaitSignal;

    /// <summary>The image this machine's children share, made at the first SPAWN after the program changed.</summary>
    private ProcessImage ImageForChildren()
        => _processImage ??= new ProcessImage(Program.ToArray(), _roData, _codeStart);

    internal FaultCode Spawn(int a, int b, int c)
    {
        int address = _cpu.R[a];
        if (_cpu.TargetIndex(address) < 0) return FaultCode.Jump;
        var self = EnsureProcess();
        if (self.Handles.IsFull) return FaultCode.Handle;
        int node = _cpu.R[c];
        // Lines this process kept while it was alone go out before the child can print.
        (Output as ProcessOutput)?.ReleaseLines();
        Process? child;
        if (node == -1 || node == self.Runtime.ThisMemberIndex)
        {
            // A child just made here has no handle in its parent's table yet: no lookup first.
            child = self.Runtime.Spawn(self, ImageForChildren(), address, _cpu.R[b]);
            _cpu.R[c] = child is null ? -1 : self.Handles.AddChild(child);
        }
        else
        {
            if (!TakeRemoteAnswer(self, call => self.Runtime.Network!.Spawn(call, node, ImageForChildren(), address, _cpu.R[b]), out child)) return WaitSignal;
            _cpu.R[c] = child is null ? -1 : self.Handles.GetOrAdd(child);
        }
        _cpu.Eq = child is not null;
        return FaultCode.None;
    }

    /// <summary>
    /// A SPAWN or WHERE that another member answers. The first time the instruction runs, it asks
    /// (<paramref name="ask"/>) and the process waits; once the answer has come, the instruction
    /// runs again and this returns true with it. Without a network (one node) the answer is null
    /// at once. False: wait (the caller returns <see cref="WaitSignal"/>).
    /// </summary>
    private static bool TakeRemoteAnswer(Process self, Action<RemoteCall> ask, out Process? answer)
    {
        answer = null;
        if (self.Runtime.Network is null) return true;
        RemoteCall pending;
        lock (self)
        {
            if (self.PendingCall is RemoteCall asked)
            {
                if (!asked.IsDone) return false;   // woken by a letter: still waiting for the answer
                self.PendingCall = null;
                answer = asked.Result;
                return true;
            }
            pending = new RemoteCall(self);
            self.PendingCall = pending;
        }
        ask(pending);
        return false;
    }

    internal FaultCode Send(int a, int b, int c)
    {
        var self = EnsureProcess();
        if (!self.Handles.TryGet(_cpu.R[a], out var target)) return FaultCode.Handle;
        int start = _cpu.R[b], length = _cpu.R[c];
        if (start < 0 || length < 0 || (long)start + length > _heapLength) return FaultCode.Heap;
        if (length > self.Runtime.Limits.MaxMessageBytes) return FaultCode.Value;
        _cpu.Eq = target.TryPost(self, _heap.AsSpan(start, length).ToArray());
        return FaultCode.None;
    }

    internal FaultCode Receive(int a, int b, int c)
    {
        var self = EnsureProcess();
        // Nothing to take and no deadline to keep: wait without taking the lock (a process
        // passing messages along finds its mailbox empty after every one). The count is read
        // unlocked and may be stale, which is safe: a letter posted meanwhile is seen by the
        // check under the lock before the process waits (TryPark), and the RECV runs again.
        if (_cpu.R[b] < 0 && self.Mailbox.Count == 0 && !self.HasDeadline) return WaitSignal;
        lock (self)
        {
            if (self.Mailbox.TryPeek(out var letter))
            {
                int length = letter.Payload?.Length ?? 0;
                int at = _cpu.R[c];
                if (letter.Payload is not null && (at < 0 || (long)at + length > _heapLength)) return FaultCode.Heap;
                int handle = self.Handles.GetOrAdd(letter.Peer);
                if (handle < 0) return FaultCode.Handle;
                letter.Payload?.CopyTo(_heap.AsSpan(at));
                _cpu.R[b] = letter.Payload is null ? -1 - (int)letter.Reason : length;
                _cpu.R[a] = handle;
                _cpu.Eq = true;
                self.Mailbox.RemoveFirst();
                self.HasDeadline = false;
                return FaultCode.None;
            }
            int timeout = _cpu.R[b];
            if (timeout == 0 || (self.HasDeadline && self.Runtime.NowMilliseconds >= self.Deadline))
            {
                self.HasDeadline = false;
                _cpu.Eq = false;
                return FaultCode.None;
            }
            if (timeout > 0 && !self.HasDeadline)
            {
                self.Deadline = self.Runtime.NowMilliseconds + timeout;
                self.HasDeadline = true;
            }
            return WaitSignal;
        }
    }

    internal FaultCode MonitorHandle(int a)
    {
        var self = EnsureProcess();
        if (!self.Handles.TryGet(_cpu.R[a], out var target)) return FaultCode.Handle;
        target.AddWatcher(self);
        return FaultCode.None;
    }

    internal FaultCode RegisterName(int roOffset)
    {
        var fault = TryReadRoString(roOffset, out var text);
        if (fault != FaultCode.None) return fault;
        fault = ProcessName.TryParse(text, out string name);
        if (fault != FaultCode.None) return fault;
        var self = EnsureProcess();
        _cpu.Eq = self.Runtime.TryRegister(self, name);
        return FaultCode.None;
    }

    internal FaultCode Where(int a, int roOffset)
    {
        var fault = TryReadRoString(roOffset, out var text);
        if (fault != FaultCode.None) return fault;
        fault = ProcessName.TryParseQualified(text, out string name, out string? alias);
        if (fault != FaultCode.None) return fault;
        var self = EnsureProcess();
        Process? found;
        if (alias is null || alias == self.Runtime.Alias) found = self.Runtime.Lookup(name);
        else if (!TakeRemoteAnswer(self, call => self.Runtime.Network!.Where(call, name, alias), out found)) return WaitSignal;
        if (found is null)
        {
            _cpu.Eq = false;
            return FaultCode.None;
        }
        int handle = self.Handles.GetOrAdd(found);
        if (handle < 0) return FaultCode.Handle;
        _cpu.R[a] = handle;
        _cpu.Eq = true;
        return FaultCode.None;
    }

    internal void Nodes(int a, int b)
    {
        var runtime = Runtime;
        _cpu.R[a] = runtime?.MemberCount ?? 1;
        _cpu.R[b] = runtime?.ThisMemberIndex ?? 0;
    }

    internal FaultCode DropHandle(int a) => EnsureProcess().Handles.Drop(_cpu.R[a]) ? FaultCode.None : FaultCode.Handle;

    internal FaultCode StringToHeap(int a, int b, int c)
    {
        var fault = TryReadRoString(_cpu.R[b], out var text);
        if (fault != FaultCode.None) return fault;
        int at = _cpu.R[a];
        if (at < 0 || (long)at + text.Length > _heapLength) return FaultCode.Heap;
        text.CopyTo(_heap.AsSpan(at));
        _cpu.R[c] = text.Length;
        return FaultCode.None;
    }

    internal FaultCode PrintHeap(int a, int b, int pcAddress)
    {
        int start = _cpu.R[a], length = _cpu.R[b];
        if (start < 0 || length < 0 || (long)start + length > _heapLength) return FaultCode.Heap;
        var text = _heap.AsSpan(start, length);
        if (!Utf8.IsValid(text))
        {
            Diagnostics?.WriteLine($"iridium: PRTH at pc={pcAddress}: heap[{start}, {start + length}) is not valid UTF-8; nothing printed");
            return FaultCode.None;
        }
        WriteOutput(text);
        return FaultCode.None;
    }
}
