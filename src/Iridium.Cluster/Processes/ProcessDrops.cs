namespace Iridium.Cluster.Processes;

/// <summary>Why a process message was dropped (see <see cref="ProcessDrops"/>).</summary>
internal enum ProcessDrop
{
    /// <summary>From a member: for a process that does not exist (ended, or never did).</summary>
    NoSuchProcess,
    /// <summary>From a member: a payload over this node's message limit.</summary>
    Oversized,
    /// <summary>From a member: the target's mailbox was full (its own count shows in ps too).</summary>
    MailboxFull,
    /// <summary>From a member: an answer nobody asked for, or a notice for no monitor.</summary>
    Unasked,
    /// <summary>From a member: a spawn whose hash or image does not check.</summary>
    Malformed,
    /// <summary>From a member: monitors past <see cref="ProcessService.MaxMonitorsPerMember"/>.</summary>
    Flood,
    /// <summary>To a member: its queue was full, so a SEND was refused (eq = false) or a notice lost.</summary>
    QueueFull,
    /// <summary>To a member: output of a process spawned for it that could not be sent.</summary>
    OutputLost,
}

/// <summary>Process messages dropped by this node, by why: counted, never buffered or answered.</summary>
internal sealed class ProcessDrops
{
    private readonly long[] _counts = new long[Enum.GetValues<ProcessDrop>().Length];

    public long this[ProcessDrop why] => Interlocked.Read(ref _counts[(int)why]);

    public long Total => _counts.Sum(c => Interlocked.Read(ref c));

    public void Add(ProcessDrop why) => Interlocked.Increment(ref _counts[(int)why]);
}
