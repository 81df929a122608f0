using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Membership;

/// <summary>
/// The live peers, by node id and by alias (aliases are unique in a cluster). Not thread-safe:
/// the node guards it with one lock and never does I/O while holding it.
/// </summary>
internal sealed class PeerTable
{
    private readonly Dictionary<Guid, Peer> _byId = [];
    private readonly Dictionary<string, Peer> _byAlias = new(StringComparer.Ordinal);

    public int Count => _byId.Count;

    public IEnumerable<Peer> All => _byId.Values;

    public bool TryGet(Guid nodeId, out Peer peer) => _byId.TryGetValue(nodeId, out peer!);

    /// <summary>The live peer holding <paramref name="alias"/>, if any.</summary>
    public Peer? FindByAlias(string alias) => _byAlias.GetValueOrDefault(alias);

    public bool Contains(Guid nodeId) => _byId.ContainsKey(nodeId);

    /// <summary>Adds a new peer; the caller has checked that neither its id nor its alias is present.</summary>
    public void Add(Peer peer)
    {
        _byId.Add(peer.NodeId, peer);
        _byAlias.Add(peer.Alias, peer);
    }

    public bool Remove(Peer peer)
    {
        if (!_byId.TryGetValue(peer.NodeId, out var current) || !ReferenceEquals(current, peer)) return false;
        _byId.Remove(peer.NodeId);
        _byAlias.Remove(peer.Alias);
        return true;
    }

    /// <summary>Every peer except <paramref name="except"/>, as records for a member list.</summary>
    public List<MemberRecord> Records(Guid except = default)
    {
        var list = new List<MemberRecord>(_byId.Count);
        foreach (var peer in _byId.Values)
        {
            if (peer.NodeId != except) list.Add(peer.ToRecord());
        }
        return list;
    }

    /// <summary>
    /// A summary of the member set (this node plus its peers): equal sets give equal digests,
    /// whatever the order. FNV-1a over the sorted ids.
    /// </summary>
    public ulong Digest(Guid self)
    {
        var ids = new Guid[_byId.Count + 1];
        ids[0] = self;
        _byId.Keys.CopyTo(ids, 1);
        Array.Sort(ids);
        ulong hash = 14695981039346656037UL;
        Span<byte> bytes = stackalloc byte[16];
        foreach (var id in ids)
        {
            id.TryWriteBytes(bytes);
            foreach (byte b in bytes) hash = (hash ^ b) * 1099511628211UL;
        }
        return hash;
    }
}
