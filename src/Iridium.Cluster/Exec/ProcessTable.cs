using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// The programs a node's REPL sessions run outside its <see cref="ProcessRuntime"/> (their
/// <c>!spawn</c>ed VMs and the sessions themselves, <see cref="IProcessRegistry"/>), by id. Ids
/// are ALIAS.N with N taken from the runtime's serials, so they never collide with a process's:
/// with the alias unique among live members, an id names one program in the cluster. Spawned
/// VMs are bounded by their REPL scheduler.
/// </summary>
internal sealed class ProcessTable(string alias, Func<long> nextSerial) : IProcessRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ProcessEntry> _byId = new(StringComparer.Ordinal);

    public IRegisteredProcess Register(string program, string origin, Action kill)
    {
        lock (_gate)
        {
            var process = new SpawnedProcess($"{alias}.{nextSerial()}", program, origin, kill, Remove);
            _byId.Add(process.Id, process);
            return process;
        }
    }

    public void Remove(ProcessEntry process)
    {
        lock (_gate) _byId.Remove(process.Id);
    }

    public ProcessEntry? Find(string id)
    {
        lock (_gate) return _byId.GetValueOrDefault(id);
    }

    public List<ProcessEntry> Snapshot()
    {
        lock (_gate) return [.. _byId.Values];
    }

    /// <summary>Programs registered now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _byId.Count;
        }
    }
}
