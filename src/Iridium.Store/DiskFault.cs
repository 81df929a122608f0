using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace Iridium.Store;

/// <summary>
/// Tells a voter's disk refusing a write (full, read-only, gone) from every other failure. DotNext's
/// log writes in the background and, once a write failed, refuses every later call with an
/// <see cref="WriteAheadLog.InternalException"/> around the first error; the node-state file (term and
/// vote) fails with the <see cref="IOException"/> itself. DotNext's integrity errors are IOExceptions
/// too, but <see cref="WriteAheadLog.MissingPageException"/> ("WAL page 5 doesn't exist on the disk")
/// is a read of a log page that is no longer there (DotNext deletes the pages a snapshot covers): it
/// fails that one call, nothing was written, and the log goes on, so it does not stop the voter.
/// </summary>
internal static class DiskFault
{
    /// <summary>The disk's error in <paramref name="e"/>'s chain, or null when <paramref name="e"/> is not the disk's.</summary>
    public static Exception? Of(Exception e)
    {
        var wal = false;
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is WriteAheadLog.MissingPageException) return null;
            if (cause is IOException or UnauthorizedAccessException) return cause;
            wal |= cause is WriteAheadLog.InternalException;
        }
        return wal ? e : null;
    }
}
