using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// The messages of `iridium send` and `iridium call` (tags 50-59, client process commands). A
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
