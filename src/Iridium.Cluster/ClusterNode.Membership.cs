using Iridium.Cluster.Connections;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster;

// Messages after the handshake, heartbeats and failure detection, anti-entropy, seeds.
public sealed partial class ClusterNode
{
    /// <summary>A member that could not be reached is not dialed again for this long (stale lists repeat it).</summary>
    private static readonly TimeSpan DialRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SeedBackoffStart = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SeedBackoffCap = TimeSpan.FromSeconds(2);

    private readonly HashSet<Guid> _dialing = [];
    private readonly Dictionary<Guid, long> _dialFailures = [];
    private bool _seedLoopRunning;
    private long _heartbeatSequence;

    void IConnectionHandler.OnMessage(ClusterConnection connection, IClusterMessage message)
    {
        if (connection.Tag is Peer peer)
        {
            if (!ReferenceEquals(peer.Connection, connection)) return; // lost a race; closing
            peer.Touch(Environment.TickCount64);
            switch (message)
            {
                case Data or Pong:
                    MessageReceived?.Invoke(peer.NodeId, message);
                    break;
                case Heartbeat heartbeat:
                    OnHeartbeat(peer, heartbeat);
                    break;
                case MembersUpdate update:
                    if (update.Members is { Count: <= ProtocolLimits.MaxMembers } members) ConnectToMembers(members);
                    else connection.Close("member list too long");
                    break;
                case Leave leave:
                    lock (_gate) RemovePeer(peer, "left" + (string.IsNullOrEmpty(leave.Reason) ? "" : ": " + Truncate(leave.Reason)));
                    break;
                case Superseded:
                    lock (_gate)
                    {
                        if (ReferenceEquals(peer.Connection, connection)) peer.Connection = null;
                        connection.Tag = null;
                    }
                    connection.Close("superseded by the other connection");
                    break;
                case Ping ping:
                    connection.TrySend(new Pong { Sequence = ping.Sequence, Timestamp = ping.Timestamp });
                    break;
                case MembersQuery:
                    connection.TrySend(View(connection));
                    break;
                default:
                    connection.Close($"unexpected {message.GetType().Name} after the handshake");
                    break;
            }
        }
        else if (connection.Tag == ClientTag)
        {
            if (message is MembersQuery) connection.TrySend(View(connection));
            else if (message is Ping ping) connection.TrySend(new Pong { Sequence = ping.Sequence, Timestamp = ping.Timestamp });
        }
    }

    void IConnectionHandler.OnClosed(ClusterConnection connection, string reason) => OnConnectionClosed(connection, reason);

    private void OnConnectionClosed(ClusterConnection connection, string reason)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
            if (connection.Tag is Peer peer && ReferenceEquals(peer.Connection, connection)) RemovePeer(peer, reason);
        }
        if (reason.StartsWith("protocol error", StringComparison.Ordinal) || reason.StartsWith("internal error", StringComparison.Ordinal))
        {
            ClusterLog.BadConnection(_logger, connection.RemoteHost, reason);
        }
    }

    /// <summary>Marks a peer down: drops it, logs one line, closes its connection. Caller holds the lock.</summary>
    private void RemovePeer(Peer peer, string reason)
    {
        if (!_peers.Remove(peer)) return;
        var connection = peer.Connection;
        peer.Connection = null;
        if (connection is not null)
        {
            connection.Tag = null;
            connection.Close(reason);
        }
        ClusterLog.NodeDown(_logger, peer.Alias, reason);
        if (_peers.Count == 0 && !_leaving && _options.Seeds.Count > 0 && !_seedLoopRunning)
        {
            ClusterLog.Rejoining(_logger);
            StartSeedLoop();
        }
    }

    /// <summary>Anti-entropy: a peer whose member set differs from ours gets our list (at most twice per interval).</summary>
    private void OnHeartbeat(Peer peer, Heartbeat heartbeat)
    {
        MembersUpdate? update = null;
        lock (_gate)
        {
            long now = Environment.TickCount64;
            if (heartbeat.Digest == _peers.Digest(_options.NodeId)) return;
            if (now - peer.LastSyncSentTicks < _options.HeartbeatInterval.TotalMilliseconds / 2) return;
            peer.LastSyncSentTicks = now;
            var members = _peers.Records();
            members.Add(new MemberRecord { NodeId = _options.NodeId, Alias = _options.Alias, Host = _self.AdvertisedHost, Port = _self.AdvertisedPort });
            update = new MembersUpdate { Members = members };
        }
        peer.Connection?.TrySend(update);
    }

    /// <summary>Dials (with Join) every listed member this node neither has nor is already dialing.</summary>
    private void ConnectToMembers(List<MemberRecord> members)
    {
        long now = Environment.TickCount64;
        var targets = new List<MemberRecord>();
        lock (_gate)
        {
            if (_leaving) return;
            foreach (var member in members)
            {
                if (member is null || member.NodeId == _options.NodeId || _peers.Contains(member.NodeId) || _dialing.Contains(member.NodeId)) continue;
                if (IntroductionRules.Check(member.NodeId, member.Alias, member.Host, member.Port, new byte[ProtocolLimits.NonceBytes], ConnectionRole.Node) is not null) continue;
                if (HostPort.IsUnspecified(member.Host)) continue;
                if (_dialFailures.TryGetValue(member.NodeId, out long failedAt) && now - failedAt < DialRetryDelay.TotalMilliseconds) continue;
                _dialing.Add(member.NodeId);
                targets.Add(member);
            }
        }
        foreach (var target in targets) _ = Task.Run(() => JoinMemberAsync(target));
    }

    private async Task JoinMemberAsync(MemberRecord member)
    {
        DialOutcome outcome;
        try
        {
            outcome = await DialAsync(member.Host!, member.Port, wantMembers: false, _stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate) _dialing.Remove(member.NodeId);
        }
        if (!outcome.Success && outcome.Refusal != RefuseCode.Duplicate)
        {
            lock (_gate) _dialFailures[member.NodeId] = Environment.TickCount64;
        }
    }

    /// <summary>Heartbeats every interval; checks every peer's silence several times per timeout.</summary>
    private async Task TimerLoopAsync()
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(Math.Min(_options.HeartbeatInterval.TotalMilliseconds, _options.FailureTimeout.TotalMilliseconds / 8), 10, 250));
        using var timer = new PeriodicTimer(tick);
        long nextHeartbeat = 0;
        long timeoutMs = (long)_options.FailureTimeout.TotalMilliseconds;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                long now = Environment.TickCount64;
                lock (_gate)
                {
                    List<Peer>? silent = null;
                    foreach (var peer in _peers.All)
                    {
                        if (now - peer.LastSeenTicks > timeoutMs) (silent ??= []).Add(peer);
                    }
                    if (silent is not null)
                    {
                        foreach (var peer in silent) RemovePeer(peer, $"no heartbeat for {now - peer.LastSeenTicks} ms");
                    }
                    if (now >= nextHeartbeat)
                    {
                        nextHeartbeat = now + (long)_options.HeartbeatInterval.TotalMilliseconds;
                        var heartbeat = new Heartbeat { Sequence = ++_heartbeatSequence, Digest = _peers.Digest(_options.NodeId), MemberCount = _peers.Count + 1 };
                        foreach (var peer in _peers.All) peer.Connection?.TrySend(heartbeat);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Node stopping.
        }
    }

    /// <summary>Starts joining through the seeds unless that is already under way. Caller may hold the lock.</summary>
    private void StartSeedLoop()
    {
        lock (_gate)
        {
            if (_seedLoopRunning || _leaving || _options.Seeds.Count == 0) return;
            _seedLoopRunning = true;
        }
        _ = Task.Run(SeedLoopAsync);
    }

    /// <summary>Tries each seed in turn, with capped exponential backoff between rounds, until one answers.</summary>
    private async Task SeedLoopAsync()
    {
        var delay = SeedBackoffStart;
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                bool anyOtherSeed = false;
                foreach (string seed in _options.Seeds)
                {
                    if (!HostPort.TryParse(seed, out string host, out int port)) continue;
                    var outcome = await DialAsync(host, port, wantMembers: true, _stopping.Token).ConfigureAwait(false);
                    if (outcome.Success || outcome.Refusal == RefuseCode.Duplicate)
                    {
                        ClusterLog.Joined(_logger, HostPort.Format(host, port));
                        return;
                    }
                    if (outcome.Refusal != RefuseCode.Self) anyOtherSeed = true;
                }
                // Every seed is this node: nothing to join. Peers that joined *us* meanwhile are
                // no reason to stop: they may form a separate cluster that only a seed links to
                // the rest (seen with 32 nodes started at once).
                if (!anyOtherSeed) return;
                var wait = delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)(delay.TotalMilliseconds / 4) + 1));
                ClusterLog.SeedRetry(_logger, (long)wait.TotalMilliseconds);
                await Task.Delay(wait, _stopping.Token).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, SeedBackoffCap.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
            // Node stopping.
        }
        finally
        {
            lock (_gate) _seedLoopRunning = false;
        }
    }

    private MembersView View(ClusterConnection asker)
    {
        var members = Snapshot(selfHost: asker.LocalHost);
        return new MembersView
        {
            Members = members.ConvertAll(m => new MemberStatusRecord { NodeId = m.NodeId, Alias = m.Alias, Host = m.Host, Port = m.Port, Status = m.Status, LastSeenMs = m.LastSeenMs }),
        };
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200];
}
