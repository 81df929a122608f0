using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace Iridium.Store;

/// <summary>
/// Tells a voter's disk refusing a write (full, read-only, gone) from every other failure. DotNext's
/// log writes in the background and, once a write failed, refuses every later call with an
/// <see cref="WriteAheadLog.InternalException"/> around the first error; the node-state file (term and
/// vote) fails with the <see cref="IOException"/> itself.
/// </summary>
internal static class DiskFault
{
    /// <summary>The disk's error in <paramref name="e"/>'s chain, or null when <paramref name="e"/> is not the disk's.</summary>
    public static Exception? Of(Exception e)
    {
        var wal = false;
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is IOException or UnauthorizedAccessException) return cause;
            wal |= cause is WriteAheadLog.InternalException;
        }
        return wal ? e : null;
    }
}
