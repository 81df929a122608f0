using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// One program in the node's <see cref="ProcessTable"/>: a VM a REPL session's <c>!spawn</c>
/// runs, or the session itself (<see cref="SpawnedProcess"/>). What `ps` shows and what `kill` needs.
/// </summary>
internal abstract class ProcessEntry(string id, string program, string origin)
{
    private int _state = (int)ProcessState.Queued;
    private Machine? _machine;

    /// <summary>ALIAS.N: unique in the cluster while this node runs.</summary>
    public string Id { get; } = id;

    public string Program { get; } = program;

    /// <summary>Who asked: "client@HOST", "client@HOST via ALIAS", "console", "remote session".</summary>
    public string Origin { get; } = origin;

    public long StartedAtMs { get; } = Environment.TickCount64;

    public ProcessState State => (ProcessState)Volatile.Read(ref _state);

    public long Steps => Volatile.Read(ref _machine)?.InterruptibleSteps ?? 0;

    public long HeapBytes => Volatile.Read(ref _machine)?.HeapLength ?? 0;

    /// <summary>Its VM, created on the thread that runs it: it runs now.</summary>
    public void Running(Machine machine)
    {
        Volatile.Write(ref _machine, machine);
        Volatile.Write(ref _state, (int)ProcessState.Running);
    }

    /// <summary>`iridium kill`: stops the program at its next slice (or before it starts).</summary>
    public abstract void Kill();

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
        Parent = "",
        Group = Id,
    };
}

/// <summary>A VM a REPL session spawned on this node (<see cref="IProcessRegistry"/>); its scheduler stops it on <see cref="Kill"/>.</summary>
internal sealed class SpawnedProcess(string id, string program, string origin, Action kill, Action<ProcessEntry> remove)
    : ProcessEntry(id, program, origin), IRegisteredProcess
{
    private int _removed;

    public override void Kill() => kill();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _removed, 1) == 0) remove(this);
    }
}
