using Iridium.Cluster.Connections;

namespace Iridium.Cluster.Exec;

/// <summary>What a client's request id leads to: a process run here, or a stream opened on a member.</summary>
internal abstract record Route;

internal sealed record LocalRoute(ExecProcess Process) : Route;

internal sealed record RemoteRoute(Relay Relay) : Route;

/// <summary>A request id taken by a request that is being prepared (a target being picked) or gathered (ps).</summary>
internal sealed record PendingRoute : Route
{
    public static readonly PendingRoute Instance = new();
}

/// <summary>What <see cref="ExecRoutes.Reserve"/> decided.</summary>
internal enum Reservation
{
    Reserved,
    /// <summary>The id is in use by an open request of the same connection.</summary>
    Duplicate,
    /// <summary>The connection has as many requests open as it may.</summary>
    TooMany,
    /// <summary>The connection is closing.</summary>
    Closing,
}

/// <summary>
/// The exec service's bookkeeping, under one lock: the client requests served here (by connection,
/// then by the client's request id), the streams this node opened on members (by stream id), and
/// the processes run here for other nodes (by that node and its stream id). A request id is
/// unique per connection while its request is open: it is reserved (<see cref="Reserve"/>) before
/// anything starts, so a repeated id is refused instead of overwriting the route of the first
/// request (which would then run on when its client goes away).
/// </summary>
internal sealed class ExecRoutes
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ClusterConnection, Dictionary<long, Route>> _clients = [];
    private readonly Dictionary<long, Relay> _relays = [];
    private readonly Dictionary<(Guid, long), ExecProcess> _forPeers = [];
    private long _lastStream;

    public Route? RouteOf(ClusterConnection client, long requestId)
    {
        lock (_gate) return _clients.TryGetValue(client, out var routes) ? routes.GetValueOrDefault(requestId) : null;
    }

    /// <summary>Takes <paramref name="requestId"/> for a new request of <paramref name="client"/>, which may have at most <paramref name="maxOpen"/> open.</summary>
    public Reservation Reserve(ClusterConnection client, long requestId, int maxOpen)
    {
        lock (_gate)
        {
            if (client.Closing is not null) return Reservation.Closing;
            _clients.TryGetValue(client, out var routes);
            if (routes is not null && routes.ContainsKey(requestId)) return Reservation.Duplicate;
            if (routes is not null && routes.Count >= maxOpen) return Reservation.TooMany;
            RoutesOf(client)[requestId] = PendingRoute.Instance;
            return Reservation.Reserved;
        }
    }

    /// <summary>True while <paramref name="client"/> has a request open (a program running or a ps or kill under way).</summary>
    public bool Serves(ClusterConnection client)
    {
        lock (_gate) return _clients.ContainsKey(client);
    }

    /// <summary>Routes the client's reserved request to a process run here; false when the client is gone.</summary>
    public bool AddLocal(ClusterConnection client, long requestId, ExecProcess process)
    {
        lock (_gate)
        {
            if (client.Closing is not null || !IsReserved(client, requestId)) return false;
            _clients[client][requestId] = new LocalRoute(process);
            return true;
        }
    }

    public void RemoveRoute(ClusterConnection client, long requestId)
    {
        lock (_gate)
        {
            if (_clients.TryGetValue(client, out var routes) && routes.Remove(requestId) && routes.Count == 0) _clients.Remove(client);
        }
    }

    /// <summary>The client went away: its routes, no longer routed, and its streams closed; null when it had none.</summary>
    public ICollection<Route>? RemoveClient(ClusterConnection client)
    {
        lock (_gate)
        {
            if (!_clients.Remove(client, out var routes)) return null;
            foreach (var route in routes.Values)
            {
                if (route is RemoteRoute remote) _relays.Remove(remote.Relay.Stream);
            }
            return routes.Values;
        }
    }

    /// <summary>
    /// A new stream on <paramref name="target"/> for the client's reserved request; null when the
    /// client is gone. <paramref name="allowance"/>: what the client's queue was allowed for it.
    /// </summary>
    public Relay? OpenRelay(ClusterConnection client, long clientRequest, Guid target, string targetAlias, RelayKind kind, ProcessGather? gather = null, long allowance = 0)
    {
        var relay = new Relay(Interlocked.Increment(ref _lastStream), client, clientRequest, target, targetAlias, kind, gather) { Allowance = allowance };
        lock (_gate)
        {
            if (client.Closing is not null || !IsReserved(client, clientRequest)) return null;
            _relays[relay.Stream] = relay;
            // A ps fans out under one client request id, which stays reserved until it is answered;
            // only exec and kill streams are routed by it.
            if (kind != RelayKind.Ps) _clients[client][clientRequest] = new RemoteRoute(relay);
        }
        return relay;
    }

    public void CloseRelay(Relay relay)
    {
        lock (_gate)
        {
            _relays.Remove(relay.Stream);
            if (relay.Kind != RelayKind.Ps && _clients.TryGetValue(relay.Client, out var routes)
                && routes.GetValueOrDefault(relay.ClientRequest) is RemoteRoute { Relay: var current } && ReferenceEquals(current, relay))
            {
                routes.Remove(relay.ClientRequest);
                if (routes.Count == 0) _clients.Remove(relay.Client);
            }
        }
    }

    /// <summary>The open stream <paramref name="stream"/>, when it was opened on <paramref name="peer"/>.</summary>
    public Relay? RelayFrom(Guid peer, long stream)
    {
        lock (_gate) return _relays.TryGetValue(stream, out var relay) && relay.Target == peer ? relay : null;
    }

    public void AddForPeer(Guid peer, long stream, ExecProcess process)
    {
        lock (_gate) _forPeers[(peer, stream)] = process;
    }

    public void RemoveForPeer(Guid peer, long stream)
    {
        lock (_gate) _forPeers.Remove((peer, stream));
    }

    public ExecProcess? ForPeer(Guid peer, long stream)
    {
        lock (_gate) return _forPeers.GetValueOrDefault((peer, stream));
    }

    /// <summary>What involves <paramref name="peer"/>: the streams open on it, and the processes run here for it.</summary>
    public (List<Relay> Relays, List<ExecProcess> Processes) Involving(Guid peer)
    {
        lock (_gate)
        {
            return (_relays.Values.Where(r => r.Target == peer).ToList(),
                _forPeers.Where(kv => kv.Key.Item1 == peer).Select(kv => kv.Value).ToList());
        }
    }

    private bool IsReserved(ClusterConnection client, long requestId)
        => _clients.TryGetValue(client, out var routes) && routes.GetValueOrDefault(requestId) is PendingRoute;

    private Dictionary<long, Route> RoutesOf(ClusterConnection client)
    {
        if (!_clients.TryGetValue(client, out var routes)) _clients[client] = routes = [];
        return routes;
    }
}
