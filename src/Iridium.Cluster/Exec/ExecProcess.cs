using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// One program this node runs for `iridium exec`: the root of a process group on the node's
/// <see cref="ProcessRuntime"/>, and what the request needs beside it. The group's output and its
/// end go back along <see cref="Reply"/> (to the client, or to the node that forwarded the
/// request), tagged with <see cref="RequestId"/>; a detached group's output goes to its
/// <see cref="Log"/> instead, and its end is told nobody. Stopping it stops the whole group.
/// </summary>
internal sealed class ExecProcess : ProcessCommands.IGroupOwner
{
    private readonly CancellationTokenSource _cancel = new();
    private int _stopReason;
    private readonly ProcessRuntime _runtime;
    private ProcessGroup? _group;

    /// <param name="log">Where a detached group's output goes; null: it streams to the requester.</param>
    public ExecProcess(ProcessRuntime runtime, string program, string origin, long requestId, int window, int chunkBytes, Func<IClusterMessage, bool> reply, GroupLog? log = null)
    {
        _runtime = runtime;
        Program = program;
        Origin = origin;
        RequestId = requestId;
        Reply = reply;
        Log = log;
        if (log is null) Output = new ProcessOutput(window, chunkBytes, chunk => reply(OutputChunk.Of(requestId, chunk, Output!.Recycle)), () => Stop(ExecOutcome.Interrupted), _cancel.Token);
    }

    public string Program { get; }

    /// <summary>Who asked: "client@HOST" or "client@HOST via ALIAS".</summary>
    public string Origin { get; }

    public long RequestId { get; }

    public Func<IClusterMessage, bool> Reply { get; }

    /// <summary>The stream to the requester; null for a detached group.</summary>
    public ProcessOutput? Output { get; }

    /// <summary>A detached group's kept output; null while a requester reads the stream.</summary>
    public GroupLog? Log { get; }

    /// <summary>Where the group's output goes.</summary>
    public Stream Destination => (Stream?)Output ?? Log!;

    /// <summary>The group, once started.</summary>
    public ProcessGroup? Group => Volatile.Read(ref _group);

    /// <summary>The root process, once started.</summary>
    public Process? Root => Group?.Root;

    /// <summary>The root's id, ALIAS.N, once started.</summary>
    public string Id => Root?.Id ?? "?";

    /// <summary>Why the group was stopped from outside (Interrupted, Killed or NodeLost), or null while nobody stopped it.</summary>
    public ExecOutcome? StopReason => Volatile.Read(ref _stopReason) is var reason and not 0 ? (ExecOutcome)reason : null;

    /// <summary>The group has started: stopping now stops its members.</summary>
    public void Started(ProcessGroup group)
    {
        Volatile.Write(ref _group, group);
        if (StopReason is not null) _runtime.KillGroup(group);
    }

    /// <summary>Stops every member of the group at its next instruction boundary (or before it starts); the first reason sticks.</summary>
    public void Stop(ExecOutcome reason)
    {
        Interlocked.CompareExchange(ref _stopReason, (int)reason, 0);
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ended already.
        }
        if (Volatile.Read(ref _group) is { } group) _runtime.KillGroup(group);
    }
}
