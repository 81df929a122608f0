namespace Iridium.Cluster.Connections;

/// <summary>Every open connection of a node, whatever stage it is at, so that leaving can close them all.</summary>
internal sealed class ConnectionTracker
{
    private readonly Lock _gate = new();
    private readonly HashSet<ClusterConnection> _open = [];
    private bool _stopped;

    /// <summary>Tracks <paramref name="connection"/> until it closes; false (and not tracked) once the node is stopping.</summary>
    public bool TryTrack(ClusterConnection connection)
    {
        lock (_gate)
        {
            if (_stopped) return false;
            _open.Add(connection);
        }
        _ = connection.Closed.ContinueWith(_ => Forget(connection), TaskScheduler.Default);
        return true;
    }

    /// <summary>Stops tracking: returns what is open now; later connections are refused by <see cref="TryTrack"/>.</summary>
    public List<ClusterConnection> Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            return [.. _open];
        }
    }

    private void Forget(ClusterConnection connection)
    {
        lock (_gate) _open.Remove(connection);
    }
}
