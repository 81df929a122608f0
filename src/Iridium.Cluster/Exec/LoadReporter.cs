using Iridium.Cluster.Protocol;
using Iridium.Cluster.Timing;

namespace Iridium.Cluster.Exec;

/// <summary>
/// When this node tells all its peers its load (<see cref="NodeLoad"/>): when it has changed
/// enough to matter to a peer choosing where `exec --on any` runs, and otherwise once per
/// <see cref="RefreshHeartbeats"/> heartbeats, so that a report lost with a connection's queue
/// heals. Sent every heartbeat to every peer, the reports were half of an idle full mesh's frames,
/// and the idle CPU per node grew with the cluster (docs/scale.md). A peer that comes up is told
/// the load at once, apart from this schedule (that first report is also how it learns this node
/// runs programs). The clock is the node's (tests give a fake one).
/// </summary>
internal sealed class LoadReporter(TimeSpan heartbeat, TimeProvider time)
{
    /// <summary>Heartbeats between two reports of a load that has not changed.</summary>
    public const int RefreshHeartbeats = 10;

    private readonly long _refreshMs = (long)(heartbeat.TotalMilliseconds * RefreshHeartbeats);
    private NodeLoad? _lastSent;
    private long _lastSentMs;

    /// <summary>
    /// The heartbeat has come and the load is <paramref name="current"/>: the report to send every
    /// peer now, or null when the last one still stands. Called from the node's timer only.
    /// </summary>
    public NodeLoad? Due(NodeLoad current)
    {
        long now = time.NowMs();
        if (_lastSent is { } last && !Differs(last, current) && now - _lastSentMs < _refreshMs) return null;
        _lastSent = current;
        _lastSentMs = now;
        return current;
    }

    /// <summary>
    /// A change worth a report: any change of a small figure (between idle nodes and nodes running
    /// one program, every program counts for `--on any`), at least an eighth of a large one.
    /// </summary>
    public static bool Differs(NodeLoad was, NodeLoad now) => Moved(was.Running, now.Running) || Moved(was.Queued, now.Queued);

    private static bool Moved(int was, int now) => Math.Abs((long)now - was) >= Math.Max(1, was / 8);
}
