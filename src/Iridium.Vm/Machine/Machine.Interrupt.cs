namespace Iridium.Vm;

/// <summary>
/// Interruptible runs: the one way to stop a running program from outside (Ctrl-C in the REPLs,
/// a remote session's interrupt, a spawned VM whose session ended). The generated dispatch loop
/// knows nothing about it: a run given a cancellable token executes in slices of
/// <see cref="InterruptSlice"/> steps through the bounded loop, which already stops at an
/// instruction boundary when its budget runs out, and looks at the token between slices. So the
/// hot loop is untouched, a run that cannot be interrupted pays nothing, and step budgets stay
/// exact: each slice takes its steps out of the run's budget.
/// </summary>
public sealed partial class Machine
{
    /// <summary>
    /// Steps between two looks at the interrupt token: an interrupt takes effect well within a
    /// millisecond. Measured with callgrind (tools/bench/interrupt/run.sh): leaving and re-entering
    /// the loop once per 65536 steps adds 0.005% to a run in the bounded loop (1024: +0.3%,
    /// 256: +1%). What an interruptible run without a budget does cost is the bounded loop's
    /// per-step count, +26% instructions on a tight loop and +16% on fib against the unbounded
    /// loop, which is why a run that cannot be interrupted still gets the unbounded loop.
    /// </summary>
    public const long DefaultInterruptSlice = 1 << 16;

    /// <summary>Steps per slice of an interruptible run; tests make it small to cross many slice boundaries.</summary>
    internal long InterruptSlice { get; init; } = DefaultInterruptSlice;

    private long _stepsInSlices;

    /// <summary>
    /// Called on the running thread after each slice of an interruptible run: where a host does
    /// what must happen while a program computes without printing, such as sending the output it
    /// buffered (`iridium exec`). Null costs one test per slice.
    /// </summary>
    public Action? BetweenSlices { get; set; }

    /// <summary>
    /// Instructions executed by this machine's interruptible runs, updated after every slice: what
    /// another thread (a process table) may read while the run goes on. Exact once the run has ended.
    /// </summary>
    public long InterruptibleSteps => Volatile.Read(ref _stepsInSlices);

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
