using Iridium.Cluster.Connections;
using Iridium.Cluster.Exec;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;
using Iridium.Vm;

namespace Iridium.Cluster.ProcessCommands;

/// <summary>
/// `iridium send`, `call`, `kill --group` and `logs` on one node (tags 50-55). A message for a process of this
/// node is posted by a <see cref="Correspondent"/>, a process that speaks for the client: the
/// target sees it as the sender and may answer it, and for `call` the first message back is the
/// answer. A target on another member (ALIAS.N, NAME@ALIAS) is relayed to that member, which
/// does the same and answers; so the correspondent always lives on the target's node. `kill
/// --group` and `logs` are relayed the same way to the member that runs the process they name
/// (a group stopped there stops on every member, see <see cref="Processes.GroupLinks"/>); `logs
/// --follow` answers with many messages, the last marked. A client that goes away abandons its
/// calls and its follows (a follow relayed to a member is stopped there with <see cref="LogsStop"/>);
/// a member that is lost refuses what was relayed to it.
/// </summary>
internal sealed class ProcessCommandService : IPeerService
{
    /// <summary>The longest a call may wait for its answer.</summary>
    public const int MaxTimeoutMs = 600_000;

    private readonly string _alias;
    private readonly ProcessRuntime _runtime;
    private readonly ExecPeers _peers;
    private readonly Func<Guid, bool> _understands;
    private readonly int _maxRequestsPerClient;
    private readonly DetachedLogs _logs;
    private readonly Func<Guid, long> _queuedTo;
    private readonly Lock _gate = new();
    private readonly Dictionary<ClusterConnection, ClientCalls> _clients = [];
    private readonly Dictionary<long, Relayed> _relays = [];
    /// <summary>The `logs --follow` this node answers for members, by the member and its stream: stopped when it says its client left, or when it is lost.</summary>
    private readonly Dictionary<(Guid Member, long Stream), Action> _memberFollows = [];
    private long _lastStream;

    /// <param name="queuedTo">Bytes queued for a member now: a `logs --follow` relayed to it stops before process traffic would be refused.</param>
    public ProcessCommandService(string alias, ProcessRuntime runtime, ExecPeers peers, Func<Guid, bool> understands, int maxRequestsPerClient, DetachedLogs logs, Func<Guid, long> queuedTo)
    {
        _logs = logs;
        _queuedTo = queuedTo;
        _alias = alias;
        _runtime = runtime;
        _peers = peers;
        _understands = understands;
        _maxRequestsPerClient = maxRequestsPerClient;
    }

    /// <summary>True while the client waits for an answer here (its connection is not idle).</summary>
    public bool Serves(ClusterConnection client)
    {
        lock (_gate) return _clients.TryGetValue(client, out var calls) && calls.Open > 0;
    }

    // ---- from clients ----

    public void OnClientMessage(ClusterConnection client, IProcessCommand message)
    {
        if (message is GroupKillRequest or LogsRequest)
        {
            OnClientAsk(client, message);
            return;
        }
        if (message is not SendRequest request)
        {
            client.Close(CloseReason.ProtocolError, $"protocol error: a client sent {message.GetType().Name}");
            return;
        }
        CancellationToken abandoned;
        lock (_gate)
        {
            if (client.Closing is not null) return;
            if (!_clients.TryGetValue(client, out var calls)) _clients[client] = calls = new ClientCalls();
            if (calls.Open >= _maxRequestsPerClient)
            {
                abandoned = default;
                client.Close(CloseReason.ProtocolError, $"protocol error: more than {_maxRequestsPerClient} requests open at once");
                return;
            }
            calls.Open++;
            abandoned = calls.Gone.Token;
        }
        _ = AnswerClientAsync(client, request, "client@" + client.RemoteHost, abandoned);
    }

    /// <summary>The client went away: its calls are abandoned, and nothing relayed for it comes back.</summary>
    public void OnClientClosed(ClusterConnection client)
    {
        ClientCalls? calls;
        List<(long Stream, Relayed Relayed)> followed = [];
        lock (_gate)
        {
            if (!_clients.Remove(client, out calls)) return;
            foreach (var (stream, relayed) in _relays.Where(kv => kv.Value.Client == client).ToList())
            {
                _relays.Remove(stream);
                if (relayed.Forwarded is LogsRequest { Follow: true }) followed.Add((stream, relayed));
            }
        }
        calls.Gone.Cancel();
        foreach (var follow in calls.Follows) follow.Stop?.Invoke();
        // A follow relayed to a member is held there until told.
        foreach (var (stream, relayed) in followed) _peers.Send(relayed.Member, new LogsStop { RequestId = stream });
    }

    private async Task AnswerClientAsync(ClusterConnection client, SendRequest request, string origin, CancellationToken abandoned)
    {
        long clientId = request.RequestId;
        SendReply? reply;
        try
        {
            reply = SendTarget.TryParse(request.Target, out var target) && target.Alias is { } alias && alias != _alias
                ? Relay(client, request, target)
                : await DeliverAsync(request, origin, abandoned).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug must answer this request with a message, never take the node down.
            reply = Refused($"{_alias}: internal error: {e.GetType().Name}: {e.Message}");
        }
        catch (OperationCanceledException)
        {
            reply = null;
        }
        lock (_gate)
        {
            if (_clients.TryGetValue(client, out var calls)) calls.Open--;
        }
        if (reply is null) return; // relayed (the member answers), or the client is gone
        reply.RequestId = clientId;
        client.TrySend(reply);
    }

    /// <summary>Forwards the request to the member that holds the target; null when sent (its answer is relayed back), else the refusal.</summary>
    private SendReply? Relay(ClusterConnection client, SendRequest request, SendTarget target)
    {
        var forwarded = new SendRequest { RequestId = 0, Target = request.Target, Payload = request.Payload, WantReply = request.WantReply, TimeoutMs = request.TimeoutMs };
        return RelayTo(client, request.RequestId, target.Alias!, forwarded, $"{target}: ", "before the message could be sent") is { } why ? Refused(why) : null;
    }

    /// <summary>
    /// Forwards <paramref name="forwarded"/> (its request id set here) to member <paramref name="alias"/>
    /// for the client's request <paramref name="clientRequest"/>; null when sent (what comes back is
    /// relayed), else why not.
    /// </summary>
    private string? RelayTo(ClusterConnection client, long clientRequest, string alias, IProcessCommand forwarded, string about, string lostWhen)
    {
        if (_peers.Resolve(alias) is not { } member || !_understands(member))
            return $"{about}no member called '{UntrustedText.Escape(alias)}' that runs programs is up (see 'iridium members')";
        long stream = Interlocked.Increment(ref _lastStream);
        lock (_gate)
        {
            if (client.Closing is not null) return null;
            _relays[stream] = new Relayed(client, clientRequest, member, alias, forwarded);
            if (_clients.TryGetValue(client, out var calls)) calls.Open++;
        }
        forwarded.RequestId = stream;
        if (!_peers.Send(member, forwarded)) Answered(stream, Failed(forwarded, $"{about}lost {UntrustedText.Escape(alias)} {lostWhen}"));
        return null;
    }

    /// <summary>`kill --group` and `logs` from a client: answered here for a process of this node, else relayed to the member that runs it.</summary>
    private void OnClientAsk(ClusterConnection client, IProcessCommand message)
    {
        string id = message switch
        {
            GroupKillRequest kill => kill.ProcessId ?? "",
            LogsRequest logs => logs.ProcessId ?? "",
            _ => "",
        };
        lock (_gate)
        {
            if (client.Closing is not null) return;
            if (!_clients.TryGetValue(client, out var calls)) _clients[client] = calls = new ClientCalls();
            if (calls.Open >= _maxRequestsPerClient)
            {
                client.Close(CloseReason.ProtocolError, $"protocol error: more than {_maxRequestsPerClient} requests open at once");
                return;
            }
        }
        long clientId = message.RequestId;
        if (SendTarget.TryParse(id, out var target) && target.Serial is not null && target.Alias is { } alias && alias != _alias)
        {
            IProcessCommand forwarded = message is LogsRequest asked ? new LogsRequest { ProcessId = id, Follow = asked.Follow } : new GroupKillRequest { ProcessId = id };
            if (RelayTo(client, clientId, alias, forwarded, $"no process {UntrustedText.Escape(id)}: ", "") is { } why)
            {
                var refusal = Failed(message, why);
                refusal.RequestId = clientId;
                client.TrySend(refusal);
            }
            return;
        }
        // A follow holds the client's connection open (not idle) until its last answer, and is
        // stopped when the client goes away before that.
        var follow = message is LogsRequest { Follow: true } ? new Follow() : null;
        if (follow is not null)
        {
            lock (_gate)
            {
                if (_clients.TryGetValue(client, out var calls)) calls.Open++;
            }
        }
        var stop = AnswerHere(message, reply =>
        {
            reply.RequestId = clientId;
            if (follow is not null && reply is LogsOutput { Last: true })
            {
                lock (_gate)
                {
                    follow.Ended = true;
                    if (_clients.TryGetValue(client, out var calls))
                    {
                        calls.Open--;
                        calls.Follows.Remove(follow);
                    }
                }
            }
            return client.TrySend(reply);
        });
        if (follow is null) return;
        bool gone;
        lock (_gate)
        {
            follow.Stop = stop;
            gone = !follow.Ended && !(_clients.TryGetValue(client, out var calls) && calls.Follows.Add(follow));
        }
        if (gone) stop();
    }

    /// <summary>
    /// `kill --group` or `logs` for a process of this node: the answer (for `logs --follow`, the
    /// answers) to <paramref name="reply"/>. Returns what stops a follow whose asker has gone.
    /// </summary>
    private Action AnswerHere(IProcessCommand message, Func<IProcessCommand, bool> reply)
    {
        switch (message)
        {
            case GroupKillRequest kill:
                reply(KillGroup(kill.ProcessId ?? ""));
                return NothingToStop;
            case LogsRequest logs:
                return Logs(logs, reply);
            default:
                return NothingToStop;
        }
    }

    private static readonly Action NothingToStop = () => { };

    private GroupKillReply KillGroup(string id)
    {
        if (!SendTarget.TryParse(id, out var target) || target.Serial is not { } serial || (target.Alias is { } alias && alias != _alias)
            || _runtime.Find(serial) is not { Remote: null } process)
            return new GroupKillReply { Found = false, Message = $"no process {UntrustedText.Escape(id)}" };
        var group = process.Group;
        _runtime.KillGroup(group);
        return new GroupKillReply { Found = true, Message = $"killed group {group.Id}" };
    }

    /// <summary>`logs`: what a detached group kept, then (with --follow) what it prints until it ends; the last answer is marked.</summary>
    private Action Logs(LogsRequest request, Func<IProcessCommand, bool> reply)
    {
        string id = request.ProcessId ?? "";
        if (_logs.Find(id) is not { } log)
        {
            reply(new LogsOutput { Found = false, Last = true, Message = $"no detached group {UntrustedText.Escape(id)} on {_alias} (logs are kept for 'exec --detach' groups, by their root's id)" });
            return NothingToStop;
        }
        return log.Read(request.Follow,
            (kept, end) =>
            {
                bool last = end is not null || !request.Follow;
                reply(new LogsOutput { Found = true, Bytes = kept, Last = last, Message = end ?? (last ? $"{id} is running" : null) });
            },
            bytes => reply(new LogsOutput { Found = true, Bytes = bytes }),
            how => reply(new LogsOutput { Found = true, Last = true, Message = how }));
    }

    // ---- from members ----

    public void OnPeerMessage(Guid peer, ClusterConnection connection, IClusterMessage message)
    {
        switch (message)
        {
            case SendRequest request:
                _ = AnswerPeerAsync(peer, request);
                break;
            case GroupKillRequest or LogsRequest:
                long stream = ((IProcessCommand)message).RequestId;
                var follow = message is LogsRequest { Follow: true } ? new Follow() : null;
                var stop = AnswerHere((IProcessCommand)message, reply =>
                {
                    reply.RequestId = stream;
                    // A group that prints faster than the member's link drains ends the follow, never the link.
                    bool overrun = reply is LogsOutput { Last: false, Bytes.Length: > 0 } && _queuedTo(peer) > Processes.ProcessService.QueueBytes;
                    if (overrun) reply = new LogsOutput { RequestId = stream, Found = true, Last = true, Message = $"{_alias}: stopped following: the group prints faster than the link to this member drains" };
                    if (follow is not null && reply is LogsOutput { Last: true })
                    {
                        lock (_gate)
                        {
                            follow.Ended = true;
                            if (_memberFollows.TryGetValue((peer, stream), out var held) && ReferenceEquals(held, follow.Stop)) _memberFollows.Remove((peer, stream));
                        }
                    }
                    return _peers.Send(peer, reply) && !overrun;
                });
                if (follow is not null) FollowingFor(peer, stream, follow, stop);
                break;
            case LogsStop gone:
                StopFollowing(peer, gone.RequestId);
                break;
            case SendReply or GroupKillReply or LogsOutput:
                var answer = (IProcessCommand)message;
                bool ours;
                lock (_gate) ours = _relays.TryGetValue(answer.RequestId, out var relayed) && relayed.Member == peer;
                if (ours) Answered(answer.RequestId, answer);
                break;
            default:
                // A message of this range this build does not know the use of: dropped.
                break;
        }
    }

    /// <summary>Holds the stop of a follow this node answers for <paramref name="peer"/>, unless it has ended already.</summary>
    private void FollowingFor(Guid peer, long stream, Follow follow, Action stop)
    {
        Action? replaced = null;
        lock (_gate)
        {
            follow.Stop = stop;
            if (follow.Ended) return;
            // A member reusing a stream id replaces its follow: the one before is stopped.
            _memberFollows.Remove((peer, stream), out replaced);
            _memberFollows[(peer, stream)] = stop;
        }
        replaced?.Invoke();
    }

    /// <summary>The member that relayed follow <paramref name="stream"/> says its client left (or the member is lost).</summary>
    private void StopFollowing(Guid peer, long stream)
    {
        Action? stop;
        lock (_gate) _memberFollows.Remove((peer, stream), out stop);
        stop?.Invoke();
    }

    /// <summary>Follows this node answers for members now (tests: one whose client left is not held).</summary>
    internal int MemberFollows
    {
        get { lock (_gate) return _memberFollows.Count; }
    }

    /// <summary>A member is gone: what was relayed to it will not be answered, and what it asked to follow is stopped.</summary>
    public void OnPeerLost(Guid peer, string why)
    {
        List<Action> stops;
        lock (_gate)
        {
            var held = _memberFollows.Where(kv => kv.Key.Member == peer).ToList();
            foreach (var (key, _) in held) _memberFollows.Remove(key);
            stops = held.ConvertAll(kv => kv.Value);
        }
        foreach (var stop in stops) stop();

        List<(long Stream, Relayed Relayed)> lost;
        lock (_gate) lost = _relays.Where(kv => kv.Value.Member == peer).Select(kv => (kv.Key, kv.Value)).ToList();
        foreach (var (stream, relayed) in lost)
        {
            var asked = relayed.Forwarded;
            Answered(stream, Failed(asked, $"lost {relayed.Alias} ({why})" + (asked is SendRequest ? "; the message may or may not have arrived" : "")));
        }
    }

    private async Task AnswerPeerAsync(Guid peer, SendRequest request)
    {
        SendReply reply;
        try
        {
            reply = await DeliverAsync(request, "a member", CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            reply = Refused($"{_alias}: internal error: {e.GetType().Name}: {e.Message}");
        }
        reply.RequestId = request.RequestId;
        _peers.Send(peer, reply);
    }

    /// <summary>
    /// An answer to a relayed request: to its client, under the client's request id. The relay
    /// closes with the last answer (every one but a `logs --follow` output that is not marked
    /// last). False when it was not open.
    /// </summary>
    private bool Answered(long stream, IProcessCommand reply)
    {
        Relayed? relayed;
        bool last = reply is not LogsOutput { Last: false };
        lock (_gate)
        {
            if (last)
            {
                if (!_relays.Remove(stream, out relayed)) return false;
                if (_clients.TryGetValue(relayed.Client, out var calls)) calls.Open--;
            }
            else if (!_relays.TryGetValue(stream, out relayed)) return false;
        }
        reply.RequestId = relayed.ClientRequest;
        relayed.Client.TrySend(reply);
        return true;
    }

    /// <summary>The answer that says <paramref name="asked"/> failed, and why.</summary>
    private static IProcessCommand Failed(IProcessCommand asked, string why) => asked switch
    {
        GroupKillRequest => new GroupKillReply { Found = false, Message = why },
        LogsRequest => new LogsOutput { Found = false, Last = true, Message = why },
        _ => Refused(why),
    };

    // ---- here ----

    /// <summary>Posts the message to a process of this node, and for a call waits for the answer.</summary>
    private async Task<SendReply> DeliverAsync(SendRequest request, string origin, CancellationToken abandoned)
    {
        if (!SendTarget.TryParse(request.Target, out var target))
            return Refused($"'{UntrustedText.Escape(request.Target ?? "")}' is not a process id (ALIAS.N) or a name (NAME or NAME@ALIAS)");
        if (target.Alias is { } alias && alias != _alias) return Refused($"{target}: that is not this node ({_alias})");
        byte[] payload = request.Payload ?? [];
        if (payload.Length > _runtime.Limits.MaxMessageBytes)
            return Refused($"the message is {payload.Length} bytes; {_alias} takes at most {_runtime.Limits.MaxMessageBytes} (--max-message-bytes)");
        var process = target.Serial is { } serial ? _runtime.Find(serial) : _runtime.Lookup(target.Name!);
        if (process is null) return Refused(target.Serial is null ? $"no process is registered as '{target}' on {_alias}" : $"no process {target}");
        string command = request.WantReply ? "call" : "send";
        using var self = _runtime.OpenCorrespondent(new CommandOwner($"({command} {target})", origin));
        if (self is null) return Refused($"{_alias} is busy: it runs the most processes it allows (--max-processes {_runtime.Limits.MaxProcesses})");
        if (!self.Send(process, payload)) return Refused($"{process.Id} did not take the message: it has ended or its mailbox is full");
        if (!request.WantReply) return new SendReply { Outcome = SendOutcome.Queued, Message = process.Id };
        int timeout = Math.Clamp(request.TimeoutMs, 0, MaxTimeoutMs);
        byte[]? answer = await self.ReceiveAsync(TimeSpan.FromMilliseconds(timeout), abandoned).ConfigureAwait(false);
        return answer is null
            ? new SendReply { Outcome = SendOutcome.TimedOut, Message = $"{process.Id} did not answer within {timeout} ms" }
            : new SendReply { Outcome = SendOutcome.Answered, Message = process.Id, Payload = answer };
    }

    private static SendReply Refused(string why) => new() { Outcome = SendOutcome.Refused, Message = why };

    private sealed class ClientCalls
    {
        public int Open;
        public CancellationTokenSource Gone { get; } = new();
        /// <summary>The client's `logs --follow` answered here and not ended: stopped if it goes away.</summary>
        public HashSet<Follow> Follows { get; } = [];
    }

    /// <summary>One `logs --follow` answered here: whether its last answer went (then there is nothing to stop), and what stops it. Both under the gate.</summary>
    private sealed class Follow
    {
        public bool Ended;
        public Action? Stop;
    }

    /// <param name="Forwarded">What was sent to the member: what a refusal must answer.</param>
    private sealed record Relayed(ClusterConnection Client, long ClientRequest, Guid Member, string Alias, IProcessCommand Forwarded);
}
