using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// The messages of `iridium send`, `call`, `kill --group` and `logs` (tags 50-55 and 58, client process commands). A
/// client sends them to the node it contacted; a target on another member is relayed to that
/// member under a stream id of the contacted node (as exec's are), and its answer relayed back
/// under the client's request id. Sent to a peer only once it announced that it runs programs.
/// </summary>
internal interface IProcessCommand : IClusterMessage
{
    long RequestId { get; set; }
}

/// <summary>
/// One message to a process: <see cref="Target"/> is ALIAS.N, NAME@ALIAS or NAME (on the node
/// that handles it). With <see cref="WantReply"/> the sender waits up to <see cref="TimeoutMs"/>
/// for one message back (`call`).
/// </summary>
[MemoryPackable]
internal partial class SendRequest : IProcessCommand
{
    public long RequestId { get; set; }
    [MemoryPackIgnore]
    public string? Target { get => _target.Value; set => _target = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _target;
    public byte[]? Payload { get; set; }
    public bool WantReply { get; set; }
    public int TimeoutMs { get; set; }
}

/// <summary>What became of a <see cref="SendRequest"/>.</summary>
internal enum SendOutcome : byte
{
    /// <summary>Queued in the target's mailbox (`send`).</summary>
    Queued = 1,
    /// <summary>Not queued: no such process or name, its mailbox is full, the member is not up, a limit; <see cref="SendReply.Message"/> says which.</summary>
    Refused = 2,
    /// <summary>Queued, and this is the message that came back (`call`).</summary>
    Answered = 3,
    /// <summary>Queued, and nothing came back within the timeout (`call`).</summary>
    TimedOut = 4,
}

[MemoryPackable]
internal partial class SendReply : IProcessCommand
{
    public long RequestId { get; set; }
    public SendOutcome Outcome { get; set; }
    [MemoryPackIgnore]
    public string? Message { get => _message.Value; set => _message = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _message;
    /// <summary>The answer's payload (<see cref="SendOutcome.Answered"/>).</summary>
    public byte[]? Payload { get; set; }
}

/// <summary>`kill --group`: stop every process of the group <see cref="ProcessId"/> (ALIAS.N) belongs to, on every member.</summary>
[MemoryPackable]
internal partial class GroupKillRequest : IProcessCommand
{
    public long RequestId { get; set; }
    [MemoryPackIgnore]
    public string? ProcessId { get => _processId.Value; set => _processId = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _processId;
}

[MemoryPackable]
internal partial class GroupKillReply : IProcessCommand
{
    public long RequestId { get; set; }
    public bool Found { get; set; }
    [MemoryPackIgnore]
    public string? Message { get => _message.Value; set => _message = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _message;
}

/// <summary>
/// `iridium logs`: the output kept of the detached group whose root is <see cref="ProcessId"/>;
/// with <see cref="Follow"/>, then what it prints until it ends.
/// </summary>
[MemoryPackable]
internal partial class LogsRequest : IProcessCommand
{
    public long RequestId { get; set; }
    [MemoryPackIgnore]
    public string? ProcessId { get => _processId.Value; set => _processId = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _processId;
    public bool Follow { get; set; }
}

/// <summary>
/// Output of a detached group for a <see cref="LogsRequest"/>, in order; the last one has
/// <see cref="Last"/> set (and, when the group was not found, <see cref="Found"/> false and why in
/// <see cref="Message"/>; when it has ended, how, in <see cref="Message"/>).
/// </summary>
[MemoryPackable]
internal partial class LogsOutput : IProcessCommand
{
    public long RequestId { get; set; }
    public bool Found { get; set; }
    public byte[]? Bytes { get; set; }
    public bool Last { get; set; }
    [MemoryPackIgnore]
    public string? Message { get => _message.Value; set => _message = new(value); }
    [MemoryPackInclude, MemoryPackAllowSerialize]
    private CheckedText _message;
}

/// <summary>
/// From the member that relayed a `logs --follow` to the member that answers it: its client has
/// gone, so stop sending the output of stream <see cref="RequestId"/>. Without it, a follow of a
/// group that prints nothing would be held until the group ends.
/// </summary>
[MemoryPackable]
internal partial class LogsStop : IProcessCommand
{
    public long RequestId { get; set; }
}
