namespace Iridium.Vm;

/// <summary>
/// The limits of one process runtime (docs/reference/runtime.md, processes): how many scheduler
/// threads, how many processes, how big a mailbox and a message may be, and each process's step
/// budget. A limit refuses (SPAWN or SEND answer eq = false); it never crashes the host.
/// </summary>
public sealed record ProcessLimits
{
    public const int DefaultMaxProcesses = 262_144;
    public const int DefaultMailboxMessages = 4_096;
    public const int DefaultMailboxBytes = 4 * 1024 * 1024;
    public const int DefaultMaxMessageBytes = 64 * 1024;
    /// <summary>Entries of a handle table, handle 0 included; a new handle past it faults HANDLE.</summary>
    public const int MaxHandles = 65_536;
    /// <summary>
    /// Steps of one slice: what a process that never waits runs before the others get a turn.
    /// Small enough that a thousand busy processes each run within a few milliseconds; large
    /// enough that entering and leaving the loop (tens of nanoseconds) is lost in the slice.
    /// </summary>
    public const int DefaultSliceSteps = 4_096;

    /// <summary>Scheduler threads (--schedulers), created when the first spawned process becomes runnable.</summary>
    public int Schedulers { get; init; } = Environment.ProcessorCount;
    /// <summary>Living processes at most (--max-processes); a SPAWN past it is refused.</summary>
    public int MaxProcesses { get; init; } = DefaultMaxProcesses;
    /// <summary>Messages one mailbox holds at most (--mailbox-messages).</summary>
    public int MailboxMessages { get; init; } = DefaultMailboxMessages;
    /// <summary>Payload bytes one mailbox holds at most (--mailbox-bytes).</summary>
    public int MailboxBytes { get; init; } = DefaultMailboxBytes;
    /// <summary>Largest payload of one message (--max-message-bytes); a larger SEND faults VALUE.</summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;
    /// <summary>Step budget of each spawned process (--max-steps); null for none.</summary>
    public long? MaxSteps { get; init; }
    /// <summary>Steps of one slice (see <see cref="DefaultSliceSteps"/>).</summary>
    public int SliceSteps { get; init; } = DefaultSliceSteps;

    /// <summary>Throws when a limit is outside what the runtime can honour (hosts check flags before).</summary>
    public void Validate()
    {
        if (Schedulers < 1) throw new ArgumentOutOfRangeException(nameof(Schedulers), "at least one scheduler thread");
        if (MaxProcesses < 1) throw new ArgumentOutOfRangeException(nameof(MaxProcesses), "at least one process");
        if (MailboxMessages < 1) throw new ArgumentOutOfRangeException(nameof(MailboxMessages), "at least one message");
        if (MailboxBytes < 0 || MaxMessageBytes < 0) throw new ArgumentOutOfRangeException(nameof(MailboxBytes), "bytes are 0 or more");
        if (SliceSteps < 1) throw new ArgumentOutOfRangeException(nameof(SliceSteps), "at least one step");
    }
}
