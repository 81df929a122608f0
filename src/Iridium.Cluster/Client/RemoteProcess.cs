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
}

/// <summary>One program's end: where it ran (its process id on that node), how it ended and its final state when asked for.</summary>
public sealed record ExecResult(string Target, string? Alias, string? ProcessId, ExecEnd End, int Code, string? Message, byte[]? StateJson, long Steps);

/// <summary>One row of `iridium ps`.</summary>
public sealed record ProcessInfo(string Id, Guid NodeId, string Alias, string Program, string State, long Steps, long HeapBytes, long AgeMs, string Origin);

/// <summary>What `iridium exec` asks for, the same on every target.</summary>
public sealed record ExecSpec(string Program, byte[] Image, long? MaxSteps, bool WantState);
