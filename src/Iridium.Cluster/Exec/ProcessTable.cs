namespace Iridium.Cluster.Exec;

/// <summary>
/// Every program this node runs or queues, by id. Ids are ALIAS.N with N counting up from 1 for
/// each start of the node; with the alias unique among live members, an id names one process in
/// the cluster. Admission is decided here, under one lock, so the queue bound holds exactly.
/// </summary>
internal sealed class ProcessTable(string alias, int maxProcesses)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ExecProcess> _byId = new(StringComparer.Ordinal);
    private long _lastNumber;

    /// <summary>A new process from <paramref name="create"/> (given its id), or null when the table is full.</summary>
    public ExecProcess? TryAdd(Func<string, ExecProcess> create)
    {
        lock (_gate)
        {
            if (_byId.Count >= maxProcesses) return null;
            var process = create($"{alias}.{++_lastNumber}");
            _byId.Add(process.Id, process);
            return process;
        }
    }

    public void Remove(ExecProcess process)
    {
        lock (_gate) _byId.Remove(process.Id);
    }

    public ExecProcess? Find(string id)
    {
        lock (_gate) return _byId.GetValueOrDefault(id);
    }

    public List<ExecProcess> Snapshot()
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
}
