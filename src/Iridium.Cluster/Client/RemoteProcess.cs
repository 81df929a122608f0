namespace Iridium.Cluster.Client;

/// <summary>How a program run with `iridium exec` ended, as the client sees it.</summary>
public enum ExecEnd
{
    /// <summary>GracefulStop{Code}.</summary>
    Stopped,
    /// <summary>Crash{Code}; <see cref="ExecResult.Message"/> says where.</summary>
    Crashed,
    /// <summary>Stopped because this client asked (Ctrl-C).</summary>
    Interrupted,
    /// <summary>Stopped with `iridium kill`.</summary>
    Killed,
    /// <summary>Never ran: refused by the node (limits, no such member, an older node).</summary>
    Refused,
    /// <summary>The node running it, or the one this client reached, was lost.</summary>
    NodeLost,
    /// <summary>`exec --detach`: it started and runs on without this client (<see cref="ExecResult.ProcessId"/> is its root).</summary>
    Detached,
}

/// <summary>One program's end: where it ran (its process id on that node), how it ended and its final state when asked for.</summary>
public sealed record ExecResult(string Target, string? Alias, string? ProcessId, ExecEnd End, int Code, string? Message, byte[]? StateJson, long Steps);

/// <summary>One row of `iridium ps`.</summary>
public sealed record ProcessInfo(string Id, Guid NodeId, string Alias, string Program, string State, long Steps, long HeapBytes, long AgeMs, string Origin,
    int Mailbox, long Dropped, string Parent, string Group);

/// <summary>What `iridium exec` asks for, the same on every target; <paramref name="Detach"/>: `--detach`, the request ends once the program has started.</summary>
public sealed record ExecSpec(string Program, byte[] Image, long? MaxSteps, bool WantState, bool Detach = false);

/// <summary>What `iridium logs` found: whether the group was found, and the node's last word (how it ended, that it runs, or why not found).</summary>
public sealed record LogsResult(bool Found, string Message);

/// <summary>What became of `iridium send` or `call`.</summary>
public enum SendEnd
{
    /// <summary>The message is in the target's mailbox.</summary>
    Queued,
    /// <summary>It was not queued; the message says why.</summary>
    Refused,
    /// <summary>The target answered: the payload is its answer.</summary>
    Answered,
    /// <summary>The message was queued and no answer came in time.</summary>
    TimedOut,
}

/// <summary>How a send or call ended, the node's word (the target's id, or why not) and the answer's bytes.</summary>
public sealed record SendResult(SendEnd End, string Message, byte[] Answer);
