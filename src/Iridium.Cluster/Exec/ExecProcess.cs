using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// One program this node runs for `iridium exec`: an entry of the <see cref="ProcessTable"/>.
/// Its output and its end go back along <see cref="Reply"/> (to the client, or to the node that
/// forwarded the request), tagged with <see cref="RequestId"/>.
/// </summary>
internal sealed class ExecProcess
{
    private readonly CancellationTokenSource _cancel = new();
    private int _state = (int)ProcessState.Queued;
    private int _stopReason;
    private Machine? _machine;

    public ExecProcess(string id, string program, string origin, long requestId, int window, int chunkBytes, Func<IClusterMessage, bool> reply)
    {
        Id = id;
        Program = program;
        Origin = origin;
        RequestId = requestId;
        Reply = reply;
        StartedAtMs = Environment.TickCount64;
        Output = new ProcessOutput(window, chunkBytes, chunk => reply(new ExecOutput { RequestId = requestId, Bytes = chunk }), () => Stop(ExecOutcome.Interrupted), _cancel.Token);
    }

    /// <summary>ALIAS.N: unique in the cluster while this node runs.</summary>
    public string Id { get; }

    public string Program { get; }

    /// <summary>Who asked: "client@HOST" or, for a request forwarded by another node, "ALIAS via client@HOST".</summary>
    public string Origin { get; }

    public long RequestId { get; }

    public Func<IClusterMessage, bool> Reply { get; }

    public long StartedAtMs { get; }

    public ProcessOutput Output { get; }

    public CancellationToken Cancelled => _cancel.Token;

    public ProcessState State => (ProcessState)Volatile.Read(ref _state);

    /// <summary>Why the process was stopped from outside (Interrupted, Killed or NodeLost), or null while nobody stopped it.</summary>
    public ExecOutcome? StopReason => Volatile.Read(ref _stopReason) is var reason and not 0 ? (ExecOutcome)reason : null;

    public long Steps => Volatile.Read(ref _machine)?.InterruptibleSteps ?? 0;

    public long HeapBytes => Volatile.Read(ref _machine)?.HeapLength ?? 0;

    /// <summary>Its VM, created on the thread that runs it.</summary>
    public void Running(Machine machine)
    {
        Volatile.Write(ref _machine, machine);
        Volatile.Write(ref _state, (int)ProcessState.Running);
    }

    /// <summary>Stops the program at its next instruction boundary (or before it starts); the first reason sticks.</summary>
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
    }

    public ProcessRecord ToRecord(Guid nodeId, string alias) => new()
    {
        ProcessId = Id,
        NodeId = nodeId,
        Alias = alias,
        Program = Program,
        State = State,
        Steps = Steps,
        HeapBytes = HeapBytes,
        AgeMs = Math.Max(0, Environment.TickCount64 - StartedAtMs),
        Origin = Origin,
    };
}
