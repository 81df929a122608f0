namespace Iridium.Repl.Engine;

/// <summary>
/// The <c>!spawn</c>ed VMs of one session whose reports are still to come: a piped script waits
/// for them at its end (<see cref="WaitForAllAsync"/>), so its output has every report.
/// </summary>
internal sealed class SpawnedVms
{
    private readonly Lock _gate = new();
    private int _pending;
    private TaskCompletionSource? _allDone;

    /// <summary>VMs spawned whose report has not been delivered.</summary>
    public int Pending
    {
        get
        {
            lock (_gate) return _pending;
        }
    }

    public void Started()
    {
        lock (_gate) _pending++;
    }

    /// <summary>One report was delivered (or the VM never started).</summary>
    public void Reported()
    {
        TaskCompletionSource? done = null;
        lock (_gate)
        {
            if (--_pending == 0)
            {
                done = _allDone;
                _allDone = null;
            }
        }
        done?.TrySetResult();
    }

    /// <summary>Completes once every spawned VM has reported.</summary>
    public Task WaitForAllAsync()
    {
        lock (_gate)
        {
            if (_pending == 0) return Task.CompletedTask;
            return (_allDone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }
}
