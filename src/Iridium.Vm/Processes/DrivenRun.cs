namespace Iridium.Vm;

/// <summary>
/// One run a host asked of its driven process (<see cref="ProcessRuntime.RunAsync"/>): a typed
/// line's instruction, a loaded program, a <c>!continue</c>. It runs on the scheduler in slices,
/// waits in RECV holding no thread, and ends when the program stops or faults, when its own step
/// budget is spent (a <see cref="ExecutionStatus.Running"/> result, as a budgeted
/// <see cref="Machine.Continue"/> returns), or when the host interrupts it (Ctrl-C). The host
/// awaits <see cref="Result"/>; the process lives on after it, idle until the next run.
/// </summary>
internal sealed class DrivenRun(long steps)
{
    private readonly TaskCompletionSource<ExecutionResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Steps this run may still take.</summary>
    public long StepsLeft { get; set; } = steps;

    /// <summary>The host asked it to stop (Ctrl-C): it ends Interrupted at its next slice or wake. Set under the process's lock.</summary>
    public bool InterruptRequested { get; set; }

    public Task<ExecutionResult> Result => _done.Task;

    /// <summary>The run is over; its host continues on a thread of its own (never the scheduler's).</summary>
    public void Complete(ExecutionResult result) => _done.TrySetResult(result);
}
