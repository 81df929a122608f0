namespace Iridium.Vm;

/// <summary>
/// Runs in slices: the one way to stop a running program from outside (Ctrl-C, a remote session's
/// interrupt, a spawned VM whose session ended) and the way a scheduler shares a thread between
/// programs. The generated dispatch loop knows nothing about either: the bounded loop stops at an
/// instruction boundary when its budget runs out, and a slice is a run of the bounded loop with the
/// slice as its budget. The bounded loop charges each label its cost on entry from a local counter
/// (see the generated Dispatch), so it runs within a few percent of the unbounded one, and leaving
/// and re-entering it costs a few dozen instructions: slices of 1,000 steps stay close to an
/// unsliced run (tools/bench). Step budgets stay exact: each slice takes its steps out of the run's budget.
/// </summary>
public sealed partial class Machine
{
    /// <summary>
    /// Steps between two looks at the interrupt token of an interruptible run: an interrupt takes
    /// effect well within a millisecond, and the host's <see cref="BetweenSlices"/> runs a few
    /// thousand times a second on a busy program.
    /// </summary>
    public const long DefaultInterruptSlice = 1 << 16;

    /// <summary>Steps per slice of an interruptible run; tests make it small to cross many slice boundaries.</summary>
    public long InterruptSlice { get; init; } = DefaultInterruptSlice;

    private long _stepsInSlices;

    /// <summary>
    /// Called on the running thread after each slice of an interruptible run, a slice cut short
    /// by a hosted RECV that must wait included (so before the run goes on the scheduler, which
    /// flushes the output at the end of every slice and calls this no more): where a host does
    /// what must happen while a program computes, such as flushing the output it buffered or
    /// arming its Ctrl-C handler (`iridium run`). Null costs one test per slice.
    /// </summary>
    public Action? BetweenSlices { get; set; }

    /// <summary>
    /// Instructions executed by this machine's interruptible runs and by <see cref="RunSlice"/>,
    /// updated after every slice: what another thread (a process table) may read while the run
    /// goes on. Exact once the run has ended.
    /// </summary>
    public long InterruptibleSteps => Volatile.Read(ref _stepsInSlices);

    /// <summary>
    /// Starts the loaded image as <see cref="Run"/> does, for a run in slices (<see cref="RunSlice"/>):
    /// appends Start, checks the header, copies the ro data and puts pc on the first instruction.
    /// Null when the program can run; otherwise the run is over and this is its Crash{HEADER} event.
    /// </summary>
    public VmEvent? Start()
    {
        AddEvent(VmEventKind.Start, 0);
        LastHeapRefusal = HeapRefusal.None;
        if (!TryLoadLayout())
        {
            LastResult = new ExecutionResult(ExecutionStatus.Faulted, (int)FaultCode.Header, 0);
            return AddEvent(VmEventKind.Crash, (int)FaultCode.Header);
        }
        return null;
    }

    /// <summary>Reads the loaded image's header: copies the ro data and puts pc on the first instruction; false when the image is invalid.</summary>
    private bool TryLoadLayout()
    {
        if (!ProgramImage.TryRead(Program, out var layout, out _)) return false;
        _roData = Program.Slice(ProgramImage.RoDataOffset, layout.RoLength).ToArray();
        _codeStart = layout.CodeStart;
        ProgramChanged();
        Pc = _codeStart;
        return true;
    }

    /// <summary>
    /// Ends a run in slices with the final event <see cref="Run"/> would append, given how its
    /// last slice ended: Stopped, Faulted or Interrupted as they are, and Running (the run's
    /// own budget is spent) as a run out of budget ends (STEPS, or a stop at the end of the
    /// program). Flushes the output.
    /// </summary>
    public VmEvent Finish(ExecutionResult last)
    {
        if (last.Status == ExecutionStatus.Running) LastResult = last = BudgetEnded();
        FlushOutput();
        return AddEvent(FinalEventKind(last.Status), last.Code);
    }

    /// <summary>
    /// One slice of a program shared with others (a scheduler's time slice): executes at most
    /// <paramref name="steps"/> instructions from pc, with no events and no header checks, and
    /// returns control at an instruction boundary. <see cref="ExecutionStatus.Running"/>: the
    /// slice was used up and pc is on the next instruction, which has not run; call again to
    /// resume exactly there. Otherwise the program stopped or faulted (as <see cref="Continue"/>
    /// reports). <paramref name="executed"/> is the instructions this slice ran (all of
    /// <paramref name="steps"/> when Running). Output is not flushed: the caller decides when.
    /// Slices add up to the same run, instruction for instruction, as one unsliced run. A
    /// scheduler's process: <see cref="Start"/>, slices until one is not Running, <see cref="Finish"/>.
    /// </summary>
    public ExecutionResult RunSlice(long steps, out long executed) => RunSlice(steps, out executed, handOverWaits: true);

    /// <param name="handOverWaits">False for the scheduler's slices: a wait is returned to it (see <see cref="RunProcessSlice"/>).</param>
    private ExecutionResult RunSlice(long steps, out long executed, bool handOverWaits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        LastHeapRefusal = HeapRefusal.None;
        var result = Execute(steps, budgetEndsRun: false, flush: false, handOverWaits: handOverWaits);
        executed = steps - _cpu.StepsLeft;
        Volatile.Write(ref _stepsInSlices, _stepsInSlices + executed);
        return result;
    }

    /// <summary>
    /// Runs the loaded code in slices until it stops, faults, uses up the budget in
    /// <c>_cpu.StepsLeft</c> (then <see cref="ExecutionStatus.Running"/>, as the unsliced loop
    /// returns) or <paramref name="interrupt"/> is cancelled (<see cref="ExecutionStatus.Interrupted"/>
    /// with pc on the next instruction, which has not run).
    /// </summary>
    private unsafe ExecutionResult DispatchInSlices(Instruction* code, CancellationToken interrupt)
    {
        long budget = _cpu.StepsLeft;
        while (!interrupt.IsCancellationRequested)
        {
            long slice = Math.Min(budget, InterruptSlice);
            _cpu.StepsLeft = slice;
            var result = _useReferenceInterpreter ? ReferenceDispatch<BoundedSteps>(ref _cpu, code) : Dispatch<BoundedSteps>(ref _cpu, code);
            long ran = slice - _cpu.StepsLeft;
            budget -= ran;
            Volatile.Write(ref _stepsInSlices, _stepsInSlices + ran);
            BetweenSlices?.Invoke();
            if (result.Status != ExecutionStatus.Running || budget == 0)
            {
                _cpu.StepsLeft = budget;
                return result;
            }
        }
        return new ExecutionResult(ExecutionStatus.Interrupted, 0, _cpu.PcAddress);
    }

    private static VmEventKind FinalEventKind(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Faulted => VmEventKind.Crash,
        ExecutionStatus.Interrupted => VmEventKind.Interrupted,
        _ => VmEventKind.GracefulStop,
    };
}
