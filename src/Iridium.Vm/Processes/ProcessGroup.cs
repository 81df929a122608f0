namespace Iridium.Vm;

/// <summary>
/// A root process and everything it spawned, transitively. The group's output goes to one
/// destination, written a whole line at a time under <see cref="OutputLock"/> (see
/// <see cref="ProcessOutput"/>), and the group has ended when its last member has: what `run`
/// waits for before it reports the root's status.
/// </summary>
public sealed class ProcessGroup
{
    private readonly ManualResetEventSlim _ended = new(false);
    private readonly TaskCompletionSource _endedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _members;

    internal ProcessGroup(Stream destination) => Destination = destination;

    /// <summary>Where every member's output goes (a terminal, an exec stream, a session).</summary>
    internal Stream Destination { get; }

    /// <summary>Held while a line (or a flush) goes to <see cref="Destination"/>.</summary>
    internal object OutputLock { get; } = new();

    /// <summary>The process that started the group.</summary>
    public Process Root { get; internal set; } = null!;

    /// <summary>Members that have not ended.</summary>
    public int LiveMembers => Volatile.Read(ref _members);

    public bool HasEnded => _ended.IsSet;

    /// <summary>Completes when every member has ended (for a host that must not hold a thread to wait).</summary>
    public Task Ended => _endedTask.Task;

    /// <summary>Runs <paramref name="action"/> on the destination while no member writes to it (a host flushing it, say).</summary>
    public void Synchronized(Action action)
    {
        lock (OutputLock) action();
    }

    internal void Join() => Interlocked.Increment(ref _members);

    internal void Leave()
    {
        if (Interlocked.Decrement(ref _members) != 0) return;
        _ended.Set();
        _endedTask.TrySetResult();
    }

    /// <summary>Waits until every member has ended; false when <paramref name="cancel"/> was cancelled first.</summary>
    public bool WaitForEnd(CancellationToken cancel = default)
    {
        try
        {
            _ended.Wait(cancel);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Waits at most <paramref name="timeout"/>; true when the group has ended.</summary>
    public bool WaitForEnd(TimeSpan timeout) => _ended.Wait(timeout);
}
