using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// The messages of `iridium exec`, `ps` and `kill` (tags 30-39). A client sends them to the node it
/// contacted; that node runs the program itself or forwards the request to the target member, and
/// relays what comes back. Between two nodes <see cref="RequestId"/> is the contacted node's stream
/// id; towards a client it is the client's own request id. Sent to a peer only once it has
/// announced that it understands them (<see cref="NodeLoad"/>): an older node closes the
/// connection on an unknown union tag.
/// </summary>
internal interface IExecMessage : IClusterMessage
{
    long RequestId { get; set; }
}

/// <summary>Run a program. Client to node (<see cref="Target"/> is an alias, a node id or "any"), or node to target node.</summary>
[MemoryPackable]
internal partial class ExecRequest : IExecMessage
{
    public long RequestId { get; set; }
    [MemoryPackIgnore]
    public string? Target { get => _target.Value; set => _target = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _target;
    /// <summary>The program's name as the client gave it (shown by `ps`); the image travels, never a path.</summary>
    [MemoryPackIgnore]
    public string? Program { get => _program.Value; set => _program = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _program;
    public byte[]? Image { get; set; }
    /// <summary>Step budget; negative means none (the node's own cap still applies).</summary>
    public long MaxSteps { get; set; }
    /// <summary>Output bytes the requester can take before it grants more with <see cref="ExecCredit"/>.</summary>
    public int Window { get; set; }
    public bool WantState { get; set; }
    /// <summary>Who asked, for `ps` (set by the contacted node: "client@HOST" or the node's alias).</summary>
    [MemoryPackIgnore]
    public string? Origin { get => _origin.Value; set => _origin = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _origin;
    /// <summary>
    /// `exec --detach` (appended): the requester hears only <see cref="ExecStarted"/>; the group
    /// runs on without it, its output kept for `iridium logs`.
    /// </summary>
    public bool Detach { get; set; }
}

/// <summary>The program was admitted: its process id, and the node that runs it.</summary>
[MemoryPackable]
internal partial class ExecStarted : IExecMessage
{
    public long RequestId { get; set; }
    [MemoryPackIgnore]
    public string? ProcessId { get => _processId.Value; set => _processId = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _processId;
    [MemoryPackIgnore]
    public string? Alias { get => _alias.Value; set => _alias = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _alias;
}

/// <summary>Program output, in order; counted against the requester's window.</summary>
[MemoryPackable]
internal partial class ExecOutput : IExecMessage
{
    public long RequestId { get; set; }
    public byte[]? Bytes { get; set; }
}

/// <summary>The requester has written <see cref="Bytes"/> more bytes of output: the program may send that many more.</summary>
[MemoryPackable]
internal partial class ExecCredit : IExecMessage
{
    public long RequestId { get; set; }
    public int Bytes { get; set; }
}

/// <summary>How a process ended, as its requester needs to know it.</summary>
internal enum ExecOutcome : byte
{
    /// <summary>GracefulStop; <see cref="ExecExit.Code"/> is its code.</summary>
    Stopped = 1,
    /// <summary>Crash; <see cref="ExecExit.Code"/> is the fault code.</summary>
    Crashed = 2,
    /// <summary>Cancelled by its requester (Ctrl-C).</summary>
    Interrupted = 3,
    /// <summary>Stopped by `iridium kill`.</summary>
    Killed = 4,
    /// <summary>Never ran: the node refused it (limits, no such member, an older node).</summary>
    Refused = 5,
    /// <summary>The node running it was lost or shut down.</summary>
    NodeLost = 6,
}

/// <summary>The last message about a process: how it ended, a line to show, and its final state when asked for.</summary>
[MemoryPackable]
internal partial class ExecExit : IExecMessage
{
    public long RequestId { get; set; }
    public ExecOutcome Outcome { get; set; }
    public int Code { get; set; }
    [MemoryPackIgnore]
    public string? Message { get => _message.Value; set => _message = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _message;
    /// <summary>The final state as `iridium run --state-json` writes it (UTF-8 JSON), when requested.</summary>
    public byte[]? StateJson { get; set; }
    public long Steps { get; set; }
}

internal enum ExecCancelReason : byte
{
    /// <summary>The user pressed Ctrl-C.</summary>
    Interrupt = 1,
    /// <summary>The requester went away: nobody reads the output any more.</summary>
    Disconnected = 2,
}

/// <summary>Stop the process of this request.</summary>
[MemoryPackable]
internal partial class ExecCancel : IExecMessage
{
    public long RequestId { get; set; }
    public ExecCancelReason Reason { get; set; }
}

/// <summary>List processes: a client asks the node it contacted (every member's), a node asks a peer (its own).</summary>
[MemoryPackable]
internal partial class ProcessQuery : IExecMessage
{
    public long RequestId { get; set; }
}

[MemoryPackable]
internal partial class ProcessList : IExecMessage
{
    public long RequestId { get; set; }
    public List<ProcessRecord>? Processes { get; set; }
}

/// <summary>A row's state in `ps` (docs/reference/runtime.md): a process is running, runnable or waiting; a REPL's VM queued or running.</summary>
internal enum ProcessState : byte
{
    Queued = 1,
    /// <summary>On a scheduler thread now (or a REPL's VM that runs).</summary>
    Running = 2,
    /// <summary>In the run queue.</summary>
    Runnable = 3,
    /// <summary>In RECV (or a store call) with nothing to take: holds no thread.</summary>
    Waiting = 4,
}

/// <summary>One row of `iridium ps`.</summary>
[MemoryPackable]
internal partial class ProcessRecord
{
    [MemoryPackIgnore]
    public string? ProcessId { get => _processId.Value; set => _processId = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _processId;
    public Guid NodeId { get; set; }
    [MemoryPackIgnore]
    public string? Alias { get => _alias.Value; set => _alias = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _alias;
    [MemoryPackIgnore]
    public string? Program { get => _program.Value; set => _program = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _program;
    public ProcessState State { get; set; }
    public long Steps { get; set; }
    public long HeapBytes { get; set; }
    /// <summary>Milliseconds since the process was admitted.</summary>
    public long AgeMs { get; set; }
    [MemoryPackIgnore]
    public string? Origin { get => _origin.Value; set => _origin = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _origin;
    // Appended after Origin: a record from an older node ends here (mailbox 0, no parent or group).
    /// <summary>Messages waiting in its mailbox.</summary>
    public int MailboxLength { get; set; }
    /// <summary>Messages its full mailbox refused.</summary>
    public long Dropped { get; set; }
    /// <summary>The process that spawned it (ALIAS.N), empty for a root.</summary>
    [MemoryPackIgnore]
    public string? Parent { get => _parent.Value; set => _parent = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _parent;
    /// <summary>Its group: the id of the group's root (ALIAS.N), wherever that runs.</summary>
    [MemoryPackIgnore]
    public string? Group { get => _group.Value; set => _group = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _group;
}

/// <summary>Stop the process with this id (ALIAS.N), wherever it runs.</summary>
[MemoryPackable]
internal partial class KillRequest : IExecMessage
{
    public long RequestId { get; set; }
    [MemoryPackIgnore]
    public string? ProcessId { get => _processId.Value; set => _processId = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _processId;
}

[MemoryPackable]
internal partial class KillReply : IExecMessage
{
    public long RequestId { get; set; }
    public bool Found { get; set; }
    [MemoryPackIgnore]
    public string? Message { get => _message.Value; set => _message = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _message;
}
