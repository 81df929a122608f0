namespace Iridium.Vm;

/// <summary>Something a scheduler thread writes out once its batch of slices ends (<see cref="SchedulerBatch"/>).</summary>
public interface IBatchedWrite
{
    /// <summary>Writes what was deferred. Called on the scheduler thread; never throws, never blocks.</summary>
    void WriteBatch();
}

/// <summary>
/// Writes deferred to the end of a scheduler thread's batch: when it has nothing more queued to
/// run (before it sleeps), or after <see cref="MaxSlices"/> slices. A connection that many processes SEND on from
/// one thread then goes to the socket once for all of them (one system call, one flush) rather
/// than once a message, and a process that sends and then waits still has its message written
/// as soon as its slice ends and nothing else is runnable. A thread lent to the scheduler
/// (<see cref="LentThread"/>) batches the same way until its lending ends. Elsewhere nothing is
/// deferred: the caller writes at once.
/// </summary>
public static class SchedulerBatch
{
    /// <summary>Slices a thread runs before it writes what they deferred, however busy it is.</summary>
    public const int MaxSlices = 16;

    [ThreadStatic]
    private static List<IBatchedWrite>? t_pending;   // null off scheduler threads (and threads not lent now)

    [ThreadStatic]
    private static List<IBatchedWrite>? t_kept;      // a lent thread's list, kept between its lendings

    /// <summary>
    /// True when the caller is a scheduler thread: <paramref name="write"/> is called once when
    /// its batch ends (however often it was deferred). False: the caller writes now.
    /// </summary>
    public static bool TryDefer(IBatchedWrite write)
    {
        if (t_pending is not { } pending) return false;
        if (!pending.Contains(write)) pending.Add(write);
        return true;
    }

    /// <summary>True when the calling scheduler thread has writes deferred.</summary>
    internal static bool HasPending => t_pending is { Count: > 0 };

    /// <summary>True when the calling thread batches (a scheduler thread, or a thread lent now).</summary>
    internal static bool IsBatching => t_pending is not null;

    /// <summary>Makes the calling thread batch (one that calls <see cref="WritePending"/>, then <see cref="Leave"/> if it is only lent).</summary>
    internal static void Enter() => t_pending = t_kept ??= [];

    /// <summary>The calling thread no longer batches (a lent thread given back; nothing may be pending).</summary>
    internal static void Leave() => t_pending = null;

    /// <summary>The calling scheduler thread's batch has ended: writes what it deferred.</summary>
    internal static void WritePending()
    {
        var pending = t_pending!;
        for (int i = 0; i < pending.Count; i++) pending[i].WriteBatch();
        pending.Clear();
    }
}
