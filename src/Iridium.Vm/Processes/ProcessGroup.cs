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
    private TaskCompletionSource? _whenEnded;
    private int _members;
    private int _stopping;

    internal ProcessGroup(Stream destination, GroupOptions? options = null)
    {
        Destination = destination;
        Options = options;
    }

    /// <summary>What its host said when it started the group; null for a hosted root's group.</summary>
    internal GroupOptions? Options { get; }

    /// <summary>What the host that started the group knows of it (an exec request); null for none.</summary>
    public object? Owner => Options?.Owner;

    /// <summary>Where every member's output goes (a terminal, an exec stream, a session).</summary>
    internal Stream Destination { get; }

    /// <summary>Held while a line (or a flush) goes to <see cref="Destination"/>.</summary>
    internal object OutputLock { get; } = new();

    /// <summary>
    /// Whether its only living member keeps whole lines until its slice ends (<see cref="ProcessOutput"/>):
    /// true for a group the scheduler runs whole (<see cref="ProcessRuntime.Start"/>), whose every
    /// member is flushed at the end of each slice and whose parts on other members count as
    /// members here. False for a hosted root's group (its host flushes when it likes) and for
    /// the part of another member's group (that member's processes print to the same place).
    /// </summary>
    internal bool KeepsLonePrints { get; init; }

    /// <summary>The process that started the group.</summary>
    public Process Root { get; internal set; } = null!;

    /// <summary>
    /// What `ps` calls the group: its root's id, ALIAS.N; for the part of a group a member
    /// started here for one of its processes, the id of that group's root there.
    /// </summary>
    public string Id => PartOf ?? Root.Id;

    /// <summary>The id of the group on another member this group is a part of; null for a group of its own.</summary>
    public string? PartOf { get; internal init; }

    /// <summary>True once the group was stopped (Ctrl-C, `kill --group`, its owner gone): it is stopped once, everywhere.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>Members that have not ended.</summary>
    public int LiveMembers => Volatile.Read(ref _members);

    public bool HasEnded => _ended.IsSet;

    /// <summary>Runs <paramref name="action"/> on the destination while no member writes to it (a host flushing it, say).</summary>
    public void Synchronized(Action action)
    {
        lock (OutputLock) action();
    }

    /// <summary>
    /// Output of a member that runs on another node (its node sends it whole lines): written to
    /// the destination as it came, under the output lock, so it never splits a local member's line.
    /// </summary>
    public void WriteFromElsewhere(ReadOnlySpan<byte> lines)
    {
        lock (OutputLock)
        {
            Destination.Write(lines);
            Destination.Flush();
        }
    }

    internal void Join() => Interlocked.Increment(ref _members);

    /// <summary>Marks the group stopping; true for the first caller only.</summary>
    internal bool MarkStopping() => Interlocked.Exchange(ref _stopping, 1) == 0;

    /// <summary>
    /// A part of the group that runs on another member (what its processes started there): it
    /// counts as one member until <see cref="RemotePart.Release"/>, so the group, and the `run` or
    /// `exec` waiting for it, ends only once that part has ended too.
    /// </summary>
    public RemotePart AddRemotePart()
    {
        Join();
        return new RemotePart(this);
    }

    internal void Leave()
    {
        if (Interlocked.Decrement(ref _members) != 0) return;
        _ended.Set();
        Volatile.Read(ref _whenEnded)?.TrySetResult();
    }

    /// <summary>Completes when every member has ended: for a host that must not hold a thread while it waits (a node).</summary>
    public Task WhenEnded()
    {
        if (_ended.IsSet) return Task.CompletedTask;
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source = Interlocked.CompareExchange(ref _whenEnded, source, null) ?? source;
        if (_ended.IsSet) source.TrySetResult();
        return source.Task;
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

/// <summary>A part of a <see cref="ProcessGroup"/> on another member (<see cref="ProcessGroup.AddRemotePart"/>): released once.</summary>
public sealed class RemotePart
{
    private readonly ProcessGroup _group;
    private int _released;

    internal RemotePart(ProcessGroup group) => _group = group;

    public ProcessGroup Group => _group;

    /// <summary>The part has ended (or its member was lost): the group counts one member fewer. Only the first call counts.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _group.Leave();
    }
}
