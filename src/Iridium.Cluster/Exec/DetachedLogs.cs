namespace Iridium.Cluster.Exec;

/// <summary>
/// The logs of the detached groups this node runs (`exec --detach`), by their root's id, for
/// `iridium logs`. A group's log stays after it ends, so its output can be read later; of the
/// ended ones only the last <see cref="KeptEnded"/> are kept, so the memory they hold is bounded
/// (at most <see cref="KeptEnded"/> x <see cref="GroupLog.MaxBytes"/>). Living groups are bounded
/// by the node's process limit.
/// </summary>
internal sealed class DetachedLogs
{
    /// <summary>Logs of ended groups kept, the oldest dropped first.</summary>
    public const int KeptEnded = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, GroupLog> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _ended = new();

    public void Add(string id, GroupLog log)
    {
        lock (_gate) _byId[id] = log;
    }

    /// <summary>The group <paramref name="id"/> has ended: its log is kept among the last <see cref="KeptEnded"/>.</summary>
    public void Ended(string id)
    {
        lock (_gate)
        {
            _ended.Enqueue(id);
            while (_ended.Count > KeptEnded) _byId.Remove(_ended.Dequeue());
        }
    }

    public GroupLog? Find(string id)
    {
        lock (_gate) return _byId.GetValueOrDefault(id);
    }
}
