using System.Collections.Concurrent;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Exec;

/// <summary>
/// The last <see cref="NodeLoad"/> each peer reported: a peer is in here once it has said it
/// understands the exec messages, and leaves when its connection is lost.
/// </summary>
internal sealed class PeerLoads
{
    private readonly ConcurrentDictionary<Guid, NodeLoad> _loads = new();

    /// <summary>A <see cref="Data"/> body from a peer: true when it was a load report (consumed).</summary>
    public bool Record(Guid nodeId, byte[]? body)
    {
        if (body is null || !NodeLoad.TryRead(body, out var load)) return false;
        _loads[nodeId] = load;
        return true;
    }

    public bool Understands(Guid nodeId) => _loads.ContainsKey(nodeId);

    public bool TryGet(Guid nodeId, out NodeLoad load) => _loads.TryGetValue(nodeId, out load);

    public void Forget(Guid nodeId) => _loads.TryRemove(nodeId, out _);

    /// <summary>Whether <paramref name="nodeId"/> understands exec, waiting up to <paramref name="wait"/> for a member that just came up to say so.</summary>
    public async Task<bool> UnderstandsWithinAsync(Guid nodeId, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (!Understands(nodeId) && DateTime.UtcNow < deadline) await Task.Delay(20).ConfigureAwait(false);
        return Understands(nodeId);
    }
}
