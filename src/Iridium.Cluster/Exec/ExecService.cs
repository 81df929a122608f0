using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>What the exec service needs from the node: its peers, by node id.</summary>
internal sealed record ExecPeers(
    Func<Guid, IClusterMessage, bool> Send,
    Func<string, Guid?> Resolve,
    Func<IReadOnlyList<(Guid NodeId, string Alias)>> Live,
    Action<IClusterMessage> Broadcast);

/// <summary>
/// `iridium exec`, `ps` and `kill` on one node. A program runs here as the root of a process group
/// on the node's <see cref="ProcessRuntime"/>, and its request ends when the group has ended. A
/// client's request is run here or forwarded to
/// the target member under a stream id of this node; what comes back for that stream is relayed
/// to the client under the client's request id, and the client's credit and cancel go the other
/// way. A client that goes away cancels its processes; a member that is lost ends the client
/// requests it was serving (NodeLost) and cancels the processes it had asked this node for.
/// Peers are sent exec messages only after their <see cref="NodeLoad"/> said they understand them.
/// The service decides; what is routed where is kept by <see cref="ExecRoutes"/>, and what peers
/// reported by <see cref="PeerLoads"/>.
/// </summary>
internal sealed class ExecService : Routing.IPeerService
{
    /// <summary>How long `ps` waits for the other members' lists.</summary>
    public static readonly TimeSpan GatherTimeout = TimeSpan.FromSeconds(2);

    private readonly Guid _nodeId;
    private readonly string _alias;
    private readonly ExecLimits _limits;
    private readonly ExecPeers _peers;
    private readonly TimeSpan _capabilityWait;
    private readonly int _maxFrameBytes;
    private readonly int _maxRequestsPerClient;
    private readonly ProcessRuntime _runtime;
    private readonly ProcessTable _table;
    private readonly PeerLoads _loads = new();
    private readonly ExecRoutes _routes = new();
    private readonly LoadReporter _reporter;
    private bool _stopping;

    /// <param name="time">The clock load reports are scheduled by (tests give a fake one; null: the system's).</param>
    public ExecService(Guid nodeId, string alias, ProcessRuntime runtime, ExecLimits limits, ExecPeers peers, TimeSpan heartbeat, int maxFrameBytes, int maxRequestsPerClient = 1024, TimeProvider? time = null)
    {
        Logs = new DetachedLogs();
        _reporter = new LoadReporter(heartbeat, time ?? TimeProvider.System);
        _runtime = runtime;
        _maxRequestsPerClient = maxRequestsPerClient;
        _maxFrameBytes = maxFrameBytes;
        _nodeId = nodeId;
        _alias = alias;
        _limits = limits;
        _peers = peers;
        // A member that just came up sends its load report (its capability) as it sees us come up.
        _capabilityWait = heartbeat * 2 + TimeSpan.FromMilliseconds(500);
        _table = new ProcessTable(alias, runtime.ReserveSerial);
    }

    /// <summary>
    /// How busy this node is, as its load reports say: its living processes (and the programs its
    /// REPL sessions run beside them); nothing waits in a queue any more.
    /// </summary>
    public (int Running, int Queued) Load => (_runtime.Count + _table.Count, 0);

    /// <summary>The output of the detached groups this node runs, for `iridium logs`.</summary>
    public DetachedLogs Logs { get; }

    /// <summary>Where a REPL session hosted by this node registers the VMs it spawns.</summary>
    public Iridium.Vm.IProcessRegistry Registry => _table;

    /// <summary>Every heartbeat: tell the peers how busy this node is, when that has changed or is due again (<see cref="LoadReporter"/>).</summary>
    public void Tick()
    {
        var (running, queued) = Load;
        if (_reporter.Due(new NodeLoad(running, queued)) is { } report) _peers.Broadcast(LoadReport(report));
    }

    /// <summary>
    /// A member came up (<see cref="Membership.PeerManager.PeerJoined"/>): it hears this node's
    /// load now, which also tells it this node runs programs, rather than at the next change.
    /// </summary>
    public void OnPeerJoined(Guid peer)
    {
        var (running, queued) = Load;
        _peers.Send(peer, LoadReport(new NodeLoad(running, queued)));
    }

    private static Data LoadReport(NodeLoad load) => new() { Body = load.ToBody() };

    /// <summary>A <see cref="Data"/> body from a peer: true when it was a load report (consumed).</summary>
    public bool OnPeerData(Guid nodeId, byte[]? body) => _loads.Record(nodeId, body);

    public bool Understands(Guid nodeId) => _loads.Understands(nodeId);

    /// <summary>True while the client has a request open here (its connection is not idle).</summary>
    public bool Serves(ClusterConnection client) => _routes.Serves(client);

    // ---- from clients ----

    public void OnClientMessage(ClusterConnection client, IExecMessage message)
    {
        switch (message)
        {
            case ExecRequest request:
                if (Reserve(client, request.RequestId)) _ = StartForClientAsync(client, request);
                else if (client.Closing is null) client.TrySend(Refusal(request.RequestId, DuplicateId(request.RequestId)));
                break;
            case ExecCredit credit:
                switch (_routes.RouteOf(client, credit.RequestId))
                {
                    case LocalRoute local: local.Process.Output?.Grant(credit.Bytes); break;
                    case RemoteRoute remote: _peers.Send(remote.Relay.Target, new ExecCredit { RequestId = remote.Relay.Stream, Bytes = credit.Bytes }); break;
                }
                break;
            case ExecCancel cancel:
                switch (_routes.RouteOf(client, cancel.RequestId))
                {
                    case LocalRoute local: local.Process.Stop(ExecOutcome.Interrupted); break;
                    case RemoteRoute remote: _peers.Send(remote.Relay.Target, new ExecCancel { RequestId = remote.Relay.Stream, Reason = cancel.Reason }); break;
                }
                break;
            case ProcessQuery query:
                if (Reserve(client, query.RequestId)) Gather(client, query.RequestId);
                else client.Close(CloseReason.ProtocolError, "protocol error: " + DuplicateId(query.RequestId));
                break;
            case KillRequest kill:
                if (Reserve(client, kill.RequestId)) KillForClient(client, kill);
                else if (client.Closing is null) client.TrySend(new KillReply { RequestId = kill.RequestId, Found = false, Message = DuplicateId(kill.RequestId) });
                break;
            default:
                client.Close(CloseReason.ProtocolError, $"protocol error: a client sent {message.GetType().Name}");
                break;
        }
    }

    /// <summary>
    /// Takes the request id for a new request; false when it is in use (the caller refuses it) or
    /// when the client has too many requests open or is closing (then it is closed).
    /// </summary>
    private bool Reserve(ClusterConnection client, long requestId)
    {
        switch (_routes.Reserve(client, requestId, _maxRequestsPerClient))
        {
            case Reservation.Reserved:
                return true;
            case Reservation.TooMany:
                client.Close(CloseReason.ProtocolError, $"protocol error: more than {_maxRequestsPerClient} requests open at once");
                return false;
            default:
                return false;
        }
    }

    private static string DuplicateId(long requestId) => $"request id {requestId} is already in use by an open request on this connection; nothing was started";

    /// <summary>The client went away: nobody reads its programs' output, so they stop.</summary>
    public void OnClientClosed(ClusterConnection client)
    {
        if (_routes.RemoveClient(client) is not { } routes) return;
        foreach (var route in routes)
        {
            if (route is LocalRoute local) local.Process.Stop(ExecOutcome.Interrupted);
            else if (route is RemoteRoute { Relay.Kind: RelayKind.Exec } remote)
                _peers.Send(remote.Relay.Target, new ExecCancel { RequestId = remote.Relay.Stream, Reason = ExecCancelReason.Disconnected });
        }
    }

    private async Task StartForClientAsync(ClusterConnection client, ExecRequest request)
    {
        string origin = "client@" + client.RemoteHost;
        long clientId = request.RequestId;
        if (Check(request) is { } problem)
        {
            _routes.RemoveRoute(client, clientId);
            client.TrySend(Refusal(clientId, problem));
            return;
        }
        var target = await PickAsync(request.Target ?? "").ConfigureAwait(false);
        if (target.Problem is { } why)
        {
            _routes.RemoveRoute(client, clientId);
            client.TrySend(Refusal(clientId, why));
            return;
        }
        // What the client may be owed unread for this program: its window, handed back with the ExecExit.
        long window = Math.Clamp(request.Window, 1, ExecFraming.MaxWindow);
        if (target.NodeId == _nodeId && request.Detach)
        {
            // Nothing of it comes back after its start: the client's request ends here.
            _routes.RemoveRoute(client, clientId);
            if (StartLocal(request, origin, m => client.TrySend(m), _ => { }, _ => { }) is { } refused) client.TrySend(Refusal(clientId, refused));
            return;
        }
        if (target.NodeId == _nodeId)
        {
            string? refusal = StartLocal(request, origin, m => client.TrySend(m, m is ExecExit ? window : 0),
                process =>
                {
                    if (!_routes.AddLocal(client, clientId, process)) process.Stop(ExecOutcome.Interrupted);
                    else client.Allow(window);
                },
                process => _routes.RemoveRoute(client, clientId));
            if (refusal is not null)
            {
                _routes.RemoveRoute(client, clientId);
                client.TrySend(Refusal(clientId, refusal));
            }
            return;
        }
        var relay = _routes.OpenRelay(client, clientId, target.NodeId, target.Alias, request.Detach ? RelayKind.Detached : RelayKind.Exec, allowance: window);
        if (relay is null) return; // the client is gone
        client.Allow(window);
        request.Origin = $"{origin} via {_alias}";
        request.RequestId = relay.Stream;
        // The target cuts output into quarter windows: every chunk it sends must fit this node's frames.
        request.Window = Math.Min(request.Window, ExecFraming.WindowFor(_maxFrameBytes));
        if (!_peers.Send(target.NodeId, request))
        {
            _routes.CloseRelay(relay);
            client.TrySend(new ExecExit { RequestId = clientId, Outcome = ExecOutcome.NodeLost, Message = $"lost {target.Alias} before the program could start" }, relay.Allowance);
        }
    }

    private string? Check(ExecRequest request)
    {
        if (request.Image is not { Length: > 0 } image) return "the request carries no program image";
        if (image.Length > _limits.MaxImageBytes) return $"{_alias}: the image is {image.Length} bytes; this node accepts at most {_limits.MaxImageBytes}";
        if (request.Window < 1) return "the request grants no output window";
        return null;
    }

    private readonly record struct Target(Guid NodeId, string Alias, string? Problem);

    /// <summary>The member to run on: this node, a named live member that understands exec, or for "any" the least busy one.</summary>
    private async Task<Target> PickAsync(string name)
    {
        if (name == "any")
        {
            var (running, queued) = Load;
            var best = new Target(_nodeId, _alias, null);
            long bestLoad = (long)running << 32 | (uint)queued;
            foreach (var (nodeId, alias) in _peers.Live())
            {
                if (!_loads.TryGet(nodeId, out var load)) continue;
                long figure = (long)load.Running << 32 | (uint)load.Queued;
                if (figure < bestLoad || (figure == bestLoad && string.CompareOrdinal(alias, best.Alias) < 0 && best.NodeId != _nodeId))
                {
                    best = new Target(nodeId, alias, null);
                    bestLoad = figure;
                }
            }
            return best;
        }
        if (name == _alias || name == _nodeId.ToString()) return new Target(_nodeId, _alias, null);
        if (_peers.Resolve(name) is not { } id) return new Target(Guid.Empty, name, $"no member called '{UntrustedText.Escape(name)}' is up (see 'iridium members')");
        return await _loads.UnderstandsWithinAsync(id, _capabilityWait).ConfigureAwait(false) ? new Target(id, name, null)
            : new Target(id, name, $"{UntrustedText.Escape(name)} does not run programs for exec (it runs an older iridium)");
    }

    private void KillForClient(ClusterConnection client, KillRequest kill)
    {
        string id = kill.ProcessId ?? "";
        int dot = id.LastIndexOf('.');
        string alias = dot > 0 ? id[..dot] : "";
        if (alias.Length == 0 || alias == _alias)
        {
            _routes.RemoveRoute(client, kill.RequestId);
            client.TrySend(KillLocal(kill.RequestId, id));
            return;
        }
        if (_peers.Resolve(alias) is not { } nodeId || !Understands(nodeId))
        {
            _routes.RemoveRoute(client, kill.RequestId);
            client.TrySend(new KillReply { RequestId = kill.RequestId, Found = false, Message = $"no process {UntrustedText.Escape(id)}: no member called '{UntrustedText.Escape(alias)}' that runs programs is up" });
            return;
        }
        var relay = _routes.OpenRelay(client, kill.RequestId, nodeId, alias, RelayKind.Kill);
        if (relay is not null && !_peers.Send(nodeId, new KillRequest { RequestId = relay.Stream, ProcessId = id }))
        {
            _routes.CloseRelay(relay);
            client.TrySend(new KillReply { RequestId = kill.RequestId, Found = false, Message = $"lost {alias}" });
        }
    }

    private KillReply KillLocal(long requestId, string id)
    {
        bool found = LocalSerial(id) is { } serial && _runtime.Kill(serial);
        if (!found && _table.Find(id) is { } entry)
        {
            entry.Kill();
            found = true;
        }
        return found ? new KillReply { RequestId = requestId, Found = true, Message = $"killed {id}" }
            : new KillReply { RequestId = requestId, Found = false, Message = $"no process {UntrustedText.Escape(id)}" };
    }

    /// <summary>N of a process id ALIAS.N of this node, or null when <paramref name="id"/> is not one.</summary>
    private long? LocalSerial(string id)
        => id.Length > _alias.Length + 1 && id.StartsWith(_alias, StringComparison.Ordinal) && id[_alias.Length] == '.'
            && long.TryParse(id.AsSpan(_alias.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long serial)
            ? serial : null;

    /// <summary>`ps`: this node's processes and those of every member that runs programs, answered when all have replied or after <see cref="GatherTimeout"/>.</summary>
    private void Gather(ClusterConnection client, long requestId)
    {
        var gather = new ProcessGather(client, requestId, LocalRecords(), () => _routes.RemoveRoute(client, requestId));
        foreach (var (nodeId, alias) in _peers.Live())
        {
            if (!Understands(nodeId)) continue;
            var relay = _routes.OpenRelay(client, requestId, nodeId, alias, RelayKind.Ps, gather);
            if (relay is null) return;
            gather.Expect(relay);
            if (!_peers.Send(nodeId, new ProcessQuery { RequestId = relay.Stream })) FinishGatherPart(relay, null);
        }
        gather.Arm();
        if (gather.TryComplete()) return;
        _ = Task.Delay(GatherTimeout).ContinueWith(_ =>
        {
            foreach (var relay in gather.Outstanding()) FinishGatherPart(relay, null);
            gather.Finish();
        }, TaskScheduler.Default);
    }

    /// <summary>What `ps` lists of this node: its processes, then what its REPL sessions run beside them.</summary>
    private List<ProcessRecord> LocalRecords()
    {
        long now = Environment.TickCount64;
        var records = _runtime.List().Select(p => ProcessRecords.Of(p, _nodeId, _alias, now)).ToList();
        records.AddRange(_table.Snapshot().Select(p => p.ToRecord(_nodeId, _alias)));
        return records;
    }

    private void FinishGatherPart(Relay relay, List<ProcessRecord>? records)
    {
        _routes.CloseRelay(relay);
        relay.Gather?.Answered(relay, records);
    }

    // ---- from peers ----

    /// <summary>The exec range (<see cref="Routing.TagRange.Exec"/>) from a member: every message of it is an exec message.</summary>
    void Routing.IPeerService.OnPeerMessage(Guid peer, ClusterConnection connection, IClusterMessage message)
    {
        if (message is IExecMessage exec) OnPeerMessage(peer, exec);
    }

    public void OnPeerMessage(Guid peer, IExecMessage message)
    {
        switch (message)
        {
            case ExecRequest request:
                StartForPeer(peer, request);
                break;
            case ExecCredit credit:
                if (_routes.ForPeer(peer, credit.RequestId) is { } credited) credited.Output?.Grant(credit.Bytes);
                break;
            case ExecCancel cancel:
                _routes.ForPeer(peer, cancel.RequestId)?.Stop(ExecOutcome.Interrupted);
                break;
            case ProcessQuery query:
                _peers.Send(peer, new ProcessList { RequestId = query.RequestId, Processes = LocalRecords() });
                break;
            case KillRequest kill:
                _peers.Send(peer, KillLocal(kill.RequestId, kill.ProcessId ?? ""));
                break;
            case ProcessList list:
                if (_routes.RelayFrom(peer, list.RequestId) is { Kind: RelayKind.Ps } psRelay)
                    FinishGatherPart(psRelay, list.Processes is { Count: <= ProtocolLimits.MaxMembers * 16 } processes ? processes : null);
                break;
            default:
                RelayToClient(peer, message);
                break;
        }
    }

    /// <summary>A member's connection is gone (<see cref="Membership.PeerManager.PeerLost"/>): its streams end, and what it asked of us stops.</summary>
    public void OnPeerLost(Guid peer, string why)
    {
        _loads.Forget(peer);
        var (lost, orphans) = _routes.Involving(peer);
        foreach (var process in orphans) process.Stop(ExecOutcome.Interrupted);
        foreach (var relay in lost)
        {
            _routes.CloseRelay(relay);
            IClusterMessage? notice = relay.Kind switch
            {
                RelayKind.Exec => new ExecExit { RequestId = relay.ClientRequest, Outcome = ExecOutcome.NodeLost, Message = $"lost {relay.TargetAlias} while the program ran ({why})" },
                RelayKind.Detached => new ExecExit { RequestId = relay.ClientRequest, Outcome = ExecOutcome.NodeLost, Message = $"lost {relay.TargetAlias} before the program started ({why})" },
                RelayKind.Kill => new KillReply { RequestId = relay.ClientRequest, Found = false, Message = $"lost {relay.TargetAlias} ({why})" },
                _ => null,
            };
            if (notice is not null) relay.Client.TrySend(notice, relay.Allowance);
            else relay.Gather?.Answered(relay, null);
        }
    }

    private void StartForPeer(Guid peer, ExecRequest request)
    {
        long stream = request.RequestId;
        bool Reply(IClusterMessage m) => _peers.Send(peer, m);
        if (Check(request) is { } problem)
        {
            Reply(Refusal(stream, problem));
            return;
        }
        if (_routes.ForPeer(peer, stream) is not null)
        {
            Reply(Refusal(stream, DuplicateId(stream)));
            return;
        }
        string origin = UntrustedText.Escape(request.Origin ?? "?");
        if (request.Detach)
        {
            // The group outlives the request: the member that forwarded it cannot stop it by going away.
            if (StartLocal(request, origin, Reply, _ => { }, _ => { }) is { } why) Reply(Refusal(stream, why));
            return;
        }
        string? refusal = StartLocal(request, origin, Reply,
            process => _routes.AddForPeer(peer, stream, process),
            process => _routes.RemoveForPeer(peer, stream));
        if (refusal is not null) Reply(Refusal(stream, refusal));
    }

    /// <summary>A message for a stream this node opened: to its client, under the client's request id.</summary>
    private void RelayToClient(Guid peer, IExecMessage message)
    {
        if (_routes.RelayFrom(peer, message.RequestId) is not { } relay) return; // late: the client is gone
        // A detached program's start is the last its requester hears of it.
        if (message is ExecExit or KillReply || (message is ExecStarted && relay.Kind == RelayKind.Detached)) _routes.CloseRelay(relay);
        message.RequestId = relay.ClientRequest;
        if (!relay.Client.TrySend(message, message is ExecExit ? relay.Allowance : 0) && relay.Kind == RelayKind.Exec)
            _peers.Send(peer, new ExecCancel { RequestId = relay.Stream, Reason = ExecCancelReason.Disconnected });
    }

    // ---- running here ----

    /// <summary>
    /// Starts the program as the root of a new group; null when it runs, else why it was refused.
    /// The request ends (its ExecExit) once every member of the group has ended.
    /// </summary>
    private string? StartLocal(ExecRequest request, string origin, Func<IClusterMessage, bool> reply, Action<ExecProcess> added, Action<ExecProcess> removed)
    {
        if (Volatile.Read(ref _stopping)) return $"{_alias} is shutting down";
        byte[] image = request.Image!;
        if (!ProgramImage.TryRead(image, out _, out string? invalid))
        {
            reply(new ExecExit { RequestId = request.RequestId, Outcome = ExecOutcome.Crashed, Code = (int)FaultCode.Header, Message = $"invalid program image: {invalid} (Crash{{1}})" });
            return null;
        }
        int window = Math.Clamp(request.Window, 1, ExecFraming.MaxWindow);
        string program = UntrustedText.Escape(request.Program ?? "?");
        var log = request.Detach ? new GroupLog() : null;
        var exec = new ExecProcess(_runtime, program, origin, request.RequestId, window, ExecFraming.ChunkFor(_maxFrameBytes, window), reply, log);
        var machine = new Machine(alias: _alias, heapCap: _limits.MaxHeapBytes, heapBudget: _limits.HeapBudget) { Runtime = _runtime };
        machine.LoadImage(image);
        ExecExit? exit = null;
        var root = _runtime.Start(machine, exec.Destination, new GroupOptions
        {
            MaxSteps = Budget(request.MaxSteps < 0 ? null : request.MaxSteps),
            Owner = exec,
            Started = process =>
            {
                if (log is not null) Logs.Add(process.Id, log);
                added(exec);
                reply(new ExecStarted { RequestId = request.RequestId, ProcessId = process.Id, Alias = _alias });
            },
            RootEnding = (process, result) => exit = RootExit(machine, process, result, request.WantState),
        });
        if (root is null)
            return $"{_alias} is busy: it runs {_runtime.Count} processes, the most it allows (--max-processes {_runtime.Limits.MaxProcesses}); try again later";
        exec.Started(root.Group);
        _ = FinishWhenEndedAsync(exec, () => exit, removed);
        return null;
    }

    /// <summary>The requester's budget, within the node's cap.</summary>
    private long? Budget(long? requested)
        => _limits.MaxSteps is { } cap ? Math.Min(cap, requested ?? long.MaxValue) : requested;

    /// <summary>
    /// How the root ended, as its requester will hear it, read before its VM lets go of its heap
    /// (for the state); null when it was killed.
    /// </summary>
    private static ExecExit? RootExit(Machine machine, Process root, ExecutionResult? result, bool wantState)
    {
        if (result is not { Status: ExecutionStatus.Stopped or ExecutionStatus.Faulted } final) return null;
        bool crashed = final.Status == ExecutionStatus.Faulted;
        var exit = new ExecExit
        {
            Outcome = crashed ? ExecOutcome.Crashed : ExecOutcome.Stopped,
            Code = final.Code,
            Steps = root.Steps,
            Message = crashed ? FaultReport.Describe(machine, final) : null,
        };
        if (wantState)
        {
            using var state = new MemoryStream();
            var kind = crashed ? VmEventKind.Crash : VmEventKind.GracefulStop;
            StateJsonWriter.Write(state, machine, new VmEvent(kind, final.Code, DateTime.UtcNow, machine.Id));
            exit.StateJson = state.ToArray();
        }
        return exit;
    }

    /// <summary>Waits for the group's end, ships the rest of its output, then sends the exit: the root's, unless the group was stopped from outside.</summary>
    private async Task FinishWhenEndedAsync(ExecProcess exec, Func<ExecExit?> rootExit, Action<ExecProcess> removed)
    {
        ExecExit exit;
        try
        {
            await exec.Group!.WhenEnded().ConfigureAwait(false);
            if (exec.Output is { } output) await output.DrainAsync().ConfigureAwait(false);
            long steps = exec.Root?.Steps ?? 0;
            exit = exec.StopReason is { } reason ? Stopped(exec, steps, reason)
                : rootExit() ?? Stopped(exec, steps, ExecOutcome.Killed);
        }
        catch (Exception e)
        {
            // A bug must end this request with a message, never the node.
            exit = new ExecExit { Outcome = ExecOutcome.Refused, Message = $"{_alias}: internal error running {exec.Id}: {e.GetType().Name}: {e.Message}" };
        }
        removed(exec);
        if (exec.Log is { } log)
        {
            // Detached: nobody waits for the exit; `iridium logs` tells it.
            log.Ended(Describe(exec, exit));
            Logs.Ended(exec.Id);
            return;
        }
        exit.RequestId = exec.RequestId;
        exec.Reply(exit);
    }

    /// <summary>How a detached group ended, as `iridium logs` says it.</summary>
    private static string Describe(ExecProcess exec, ExecExit exit) => exit.Outcome switch
    {
        ExecOutcome.Stopped => $"{exec.Id} halted with status {exit.Code}",
        ExecOutcome.Crashed => $"{exec.Id} crashed: {exit.Message}",
        _ => exit.Message ?? $"{exec.Id} was stopped",
    };

    private ExecExit Stopped(ExecProcess exec, long steps, ExecOutcome reason)
    {
        string message = reason switch
        {
            ExecOutcome.Killed => $"{exec.Id} was killed",
            ExecOutcome.NodeLost => $"{_alias} is shutting down; {exec.Id} was stopped",
            _ => $"{exec.Id} was interrupted",
        };
        return new ExecExit { Outcome = reason, Message = message, Steps = steps };
    }

    /// <summary>The node is leaving: refuse new programs and stop the running groups (their requesters hear NodeLost).</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Volatile.Write(ref _stopping, true);
        foreach (var exec in ExecGroups()) exec.Stop(ExecOutcome.NodeLost);
        var deadline = DateTime.UtcNow + grace;
        while (ExecGroups().Any() && DateTime.UtcNow < deadline) await Task.Delay(10).ConfigureAwait(false);
    }

    private IEnumerable<ExecProcess> ExecGroups() => _runtime.List().Select(p => p.Group.Owner).OfType<ExecProcess>().Distinct();

    private static ExecExit Refusal(long requestId, string why) => new() { RequestId = requestId, Outcome = ExecOutcome.Refused, Message = why };
}
