using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// Runs admitted processes: at most <see cref="ExecLimits.MaxRunning"/> at once (the rest wait
/// their turn, still cancellable), each on its own thread, interruptible through the machine's
/// sliced runs, with its output flushed between slices and its end reported as an
/// <see cref="ExecExit"/> after the last output chunk. With the node's <see cref="ProcessRuntime"/>,
/// a program becomes the root of a group there at its first process instruction (its children run
/// on the runtime's scheduler, and other members reach it); when the root ends, the rest of its
/// group is stopped.
/// </summary>
internal sealed class ProcessRunner(ExecLimits limits, string alias, ProcessRuntime? runtime = null)
{
    /// <summary>How long a root that ended waits for the rest of its group to stop, so nothing of theirs follows its exit.</summary>
    private static readonly TimeSpan GroupStopWait = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _slots = new(limits.MaxRunning, limits.MaxRunning);

    /// <summary>Runs <paramref name="process"/> to its end and sends its exit; <paramref name="ended"/> runs just before that.</summary>
    public async Task RunAsync(ExecProcess process, byte[] image, long? maxSteps, bool wantState, Action ended)
    {
        ExecExit exit;
        try
        {
            await _slots.WaitAsync(process.Cancelled).ConfigureAwait(false);
            try
            {
                // Its own thread: a program may compute for hours, and must not hold a pool thread.
                exit = await Task.Factory.StartNew(() => Execute(process, image, Budget(maxSteps), wantState),
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException)
        {
            exit = Stopped(process, steps: 0);
        }
        catch (Exception e)
        {
            // A bug must end this process with a message, never the node.
            exit = new ExecExit { Outcome = ExecOutcome.Refused, Message = $"{alias}: internal error running {process.Id}: {e.GetType().Name}: {e.Message}" };
        }
        ended();
        exit.RequestId = process.RequestId;
        process.Reply(exit);
    }

    /// <summary>The requester's budget, within the node's cap.</summary>
    private long? Budget(long? requested)
        => limits.MaxSteps is { } cap ? Math.Min(cap, requested ?? long.MaxValue) : requested;

    private ExecExit Execute(ExecProcess process, byte[] image, long? maxSteps, bool wantState)
    {
        var machine = new Machine(alias: alias, heapCap: limits.MaxHeapBytes, heapBudget: limits.HeapBudget)
        {
            Output = process.Output,
            // Output of a program that prints, then computes, goes out while it computes.
            BetweenSlices = process.Output.FlushIfIdle,
            Runtime = runtime,
        };
        process.Running(machine);
        try
        {
            machine.LoadImage(image);
            var final = machine.Run(maxSteps, process.Cancelled);
            if (final.Kind == VmEventKind.Interrupted) return Stopped(process, machine.InterruptibleSteps);
            var exit = new ExecExit
            {
                Outcome = final.Kind == VmEventKind.Crash ? ExecOutcome.Crashed : ExecOutcome.Stopped,
                Code = final.Code,
                Steps = machine.InterruptibleSteps,
                Message = final.Kind == VmEventKind.Crash ? FaultReport.Describe(machine, final, image) : null,
            };
            if (wantState)
            {
                using var state = new MemoryStream();
                StateJsonWriter.Write(state, machine, final);
                exit.StateJson = state.ToArray();
            }
            return exit;
        }
        finally
        {
            if (runtime?.EndHosted(machine, machine.LastResult) is { } group)
            {
                runtime.KillGroup(group);
                group.WaitForEnd(GroupStopWait);
            }
            machine.ReleaseHeap();
        }
    }

    private ExecExit Stopped(ExecProcess process, long steps)
    {
        var reason = process.StopReason ?? ExecOutcome.Interrupted;
        string message = reason switch
        {
            ExecOutcome.Killed => $"{process.Id} was killed",
            ExecOutcome.NodeLost => $"{alias} is shutting down; {process.Id} was stopped",
            _ => $"{process.Id} was interrupted",
        };
        return new ExecExit { Outcome = reason, Message = message, Steps = steps };
    }
}
