using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Connections;

/// <summary>
/// The connections of authenticated tools (`iridium members`, `ping`, `exec`, `ps`, `kill`): answered, never
/// members. They have their own cap, apart from the members and from unauthenticated connections,
/// so neither a pile of clients nor a flood of strangers takes what the other needs; and a cap per
/// address, so one address cannot take every slot. A client that sends nothing and runs nothing
/// for the idle timeout is closed (<see cref="Sweep"/>), on the node's clock.
/// </summary>
internal sealed class ClientRequests(ClusterOptions options, Func<string, IReadOnlyList<MemberInfo>> members, Exec.ExecService exec,
    ProcessCommands.ProcessCommandService commands, TimeProvider time) : IConnectionHandler
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _perAddress = [];
    private readonly Dictionary<ClusterConnection, Activity> _open = [];
    private readonly List<(Routing.TagRange Range, IClientService Service)> _services = [];
    private int _count;

    public int MaxClients => options.MaxClientConnections;

    /// <summary>Gives <paramref name="service"/> the client messages of <paramref name="range"/>; called before the node listens.</summary>
    public void Register(Routing.TagRange range, IClientService service)
    {
        if (_services.Any(s => s.Range.Overlaps(range))) throw new ArgumentException($"client tags {range} are taken", nameof(range));
        _services.Add((range, service));
    }

    public int MaxPerAddress => options.MaxClientConnectionsPerAddress;

    /// <summary>Client connections held now.</summary>
    public int Count
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>The client connections being served (tests and diagnostics).</summary>
    public IReadOnlyList<ClusterConnection> Connections
    {
        get { lock (_gate) return [.. _open.Keys]; }
    }

    /// <summary>Takes a client slot for <paramref name="address"/>; null when taken, else why not. Released when the connection closes (or by <see cref="Release"/> if it never starts).</summary>
    public string? TryAdmit(string address)
    {
        lock (_gate)
        {
            if (_count >= options.MaxClientConnections) return $"too many client connections (the limit is {options.MaxClientConnections}); try again later";
            int fromAddress = _perAddress.GetValueOrDefault(address);
            if (fromAddress >= options.MaxClientConnectionsPerAddress)
                return $"too many client connections from {address} (the limit is {options.MaxClientConnectionsPerAddress} per address); try again later";
            _perAddress[address] = fromAddress + 1;
            _count++;
            return null;
        }
    }

    public void Release(string address)
    {
        lock (_gate)
        {
            _count--;
            if (_perAddress.TryGetValue(address, out int n) && n > 1) _perAddress[address] = n - 1;
            else _perAddress.Remove(address);
        }
    }

    /// <summary>The connection is admitted and its loops start now: from now on it is watched for idleness.</summary>
    public void Started(ClusterConnection connection)
    {
        lock (_gate)
        {
            if (connection.Closing is null) _open[connection] = new Activity(connection.FramesReceived, time.GetTimestamp());
        }
    }

    /// <summary>Closes the clients that sent nothing and ran nothing for the idle timeout (the node's timer).</summary>
    public void Sweep()
    {
        long now = time.GetTimestamp();
        List<ClusterConnection> idle = [];
        lock (_gate)
        {
            foreach (var (connection, seen) in _open.ToList())
            {
                long frames = connection.FramesReceived;
                if (connection.Closing is not null) _open.Remove(connection);
                else if (frames != seen.Frames || exec.Serves(connection) || commands.Serves(connection) || _services.Any(s => s.Service.Serves(connection))) _open[connection] = new Activity(frames, now);
                else if (time.GetElapsedTime(seen.Since, now) >= options.ClientIdleTimeout) idle.Add(connection);
            }
        }
        foreach (var connection in idle)
            connection.Close(CloseReason.Idle, $"idle for {options.ClientIdleTimeout.TotalSeconds:0.#} s with nothing running");
    }

    public void OnMessage(ClusterConnection connection, IClusterMessage message)
    {
        switch (message)
        {
            case MembersQuery:
                // The client reached us on LocalHost: that is our address when we advertise none.
                var view = members(connection.LocalHost);
                connection.TrySend(MemberViewMapping.ToView(view));
                if (MemberViewMapping.ToDownDetails(view) is { } down) connection.TrySend(down);
                break;
            case Ping ping:
                connection.TrySend(new Pong { Sequence = ping.Sequence, Timestamp = ping.Timestamp });
                break;
            case IExecMessage request:
                exec.OnClientMessage(connection, request);
                break;
            case IProcessCommand command:
                commands.OnClientMessage(connection, command);
                break;
            default:
                int tag = Routing.MessageTags.Of(message);
                foreach (var (range, service) in _services)
                {
                    if (!range.Contains(tag)) continue;
                    service.OnClientMessage(connection, message);
                    return;
                }
                // Data (the ping tool's payload) and anything else a client may send: read and dropped.
                break;
        }
    }

    public void OnClosed(ClusterConnection connection, ConnectionClose close)
    {
        exec.OnClientClosed(connection);
        commands.OnClientClosed(connection);
        foreach (var (_, service) in _services) service.OnClientClosed(connection);
        lock (_gate) _open.Remove(connection);
        Release(connection.RemoteHost);
    }

    /// <summary>When a connection's frame count last moved.</summary>
    private readonly record struct Activity(long Frames, long Since);
}
