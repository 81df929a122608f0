namespace Iridium.Vm;

/// <summary>
/// A thread that delivers messages from elsewhere lends itself to the scheduler while it handles
/// one batch of them (a node's connection, for the frames of one read). A process such a message
/// wakes is then not handed to a scheduler thread, which would have to be woken for it (a
/// context switch, often a wait for a processor on a busy machine), when no other process is
/// queued: the lent thread runs its slice itself once the batch is handled, and what the slice
/// sends to other members goes out in one write with the rest of the batch's
/// (<see cref="SchedulerBatch"/>). A message's answer thus leaves on the thread that read the
/// message, as Erlang's schedulers answer from the thread that polled the socket.
/// <para>
/// The lent thread's time stays bounded: it runs at most <see cref="MaxSlices"/> slices per
/// lending, one each for processes woken while nothing was queued; a process that uses its whole
/// slice, and everything woken past the cap or while others wait, goes to the scheduler's queue
/// as before, so nothing jumps the queue. A slice blocks nothing (processes never block a
/// thread), so a socket engine's thread may lend itself.
/// </para>
/// </summary>
public static class LentThread
{
    /// <summary>Slices a lent thread runs at most per lending.</summary>
    public const int MaxSlices = SchedulerBatch.MaxSlices;

    [ThreadStatic]
    private static List<(Scheduler Scheduler, Process Process)>? t_held;   // null unless lent now

    [ThreadStatic]
    private static List<(Scheduler Scheduler, Process Process)>? t_kept;   // the list, kept between lendings

    /// <summary>
    /// Lends the calling thread until <see cref="Return"/>: true when it is now lent, false when it
    /// is a scheduler thread or lent already (then the matching <see cref="Return"/> is not called).
    /// </summary>
    public static bool Lend()
    {
        if (SchedulerBatch.IsBatching) return false;
        t_held = t_kept ??= [];
        SchedulerBatch.Enter();
        return true;
    }

    /// <summary>
    /// Runs the slices of the processes held during the lending, then writes what they and the
    /// batch sent, and gives the thread back. Never throws for a process (a slice's faults end that process).
    /// </summary>
    public static void Return()
    {
        var held = t_held!;
        try
        {
            // A held slice may wake and hold another process: the list grows while it is walked, up to the cap.
            for (int i = 0; i < held.Count; i++) held[i].Scheduler.RunLent(held[i].Process);
            SchedulerBatch.WritePending();
        }
        finally
        {
            held.Clear();
            t_held = null;
            SchedulerBatch.Leave();
        }
    }

    /// <summary>
    /// Called by <paramref name="scheduler"/> instead of queueing <paramref name="process"/> when
    /// nothing else is queued: true when this thread is lent and takes the process (runs its slice at <see cref="Return"/>).
    /// </summary>
    internal static bool TryHold(Scheduler scheduler, Process process)
    {
        if (t_held is not { } held || held.Count >= MaxSlices) return false;
        held.Add((scheduler, process));
        return true;
    }
}
