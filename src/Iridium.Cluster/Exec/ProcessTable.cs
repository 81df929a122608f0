using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// Every program this node runs or queues, by id: those run for `iridium exec` and those its REPL
/// sessions spawn (<see cref="IProcessRegistry"/>). Ids are ALIAS.N with N counting up from 1 for
/// each start of the node; with the alias unique among live members, an id names one process in
/// the cluster. Exec admission is decided here, under one lock, so its queue bound holds exactly;
/// spawned VMs are bounded by their scheduler.
/// </summary>
internal sealed class ProcessTable(string alias, int maxExecProcesses) : IProcessRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ProcessEntry> _byId = new(StringComparer.Ordinal);
    private long _lastNumber;
    private int _execCount;

    /// <summary>A new exec process from <paramref name="create"/> (given its id), or null when exec's share is full.</summary>
    public ExecProcess? TryAdd(Func<string, ExecProcess> create)
    {
        lock (_gate)
        {
            if (_execCount >= maxExecProcesses) return null;
            var process = create(NextId());
            _byId.Add(process.Id, process);
            _execCount++;
            return process;
        }
    }

    public IRegisteredProcess Register(string program, string origin, Action kill)
    {
        lock (_gate)
        {
            var process = new SpawnedProcess(NextId(), program, origin, kill, Remove);
            _byId.Add(process.Id, process);
            return process;
        }
    }

    public void Remove(ProcessEntry process)
    {
        lock (_gate)
        {
            if (_byId.Remove(process.Id) && process is ExecProcess) _execCount--;
        }
    }

    public ProcessEntry? Find(string id)
    {
        lock (_gate) return _byId.GetValueOrDefault(id);
    }

    public List<ProcessEntry> Snapshot()
    {
        lock (_gate) return [.. _byId.Values];
    }

    /// <summary>Processes running and waiting now.</summary>
    public (int Running, int Queued) Counts()
    {
        lock (_gate)
        {
            int running = _byId.Values.Count(p => p.State == Protocol.ProcessState.Running);
            return (running, _byId.Count - running);
        }
    }

    private string NextId() => $"{alias}.{++_lastNumber}";
}
