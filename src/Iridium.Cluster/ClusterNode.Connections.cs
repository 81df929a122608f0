using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster;

// Handshakes in both directions, admission (self, alias, duplicates) and the
// one-connection-per-pair rule.
public sealed partial class ClusterNode
{
    /// <summary>Tag of an authenticated client connection (`iridium members`): answered, never a member.</summary>
    private static readonly object ClientTag = new();

    private void OnAccepted(Socket socket)
    {
        if (Interlocked.Increment(ref _pendingHandshakes) > MaxPendingHandshakes)
        {
            Interlocked.Decrement(ref _pendingHandshakes);
            ClusterLog.TooManyHandshakes(_logger, socket.RemoteEndPoint?.ToString() ?? "?");
            socket.Dispose();
            return;
        }
        _ = Task.Run(() => AcceptAsync(socket));
    }

    private int _pendingHandshakes;

    private async Task AcceptAsync(Socket socket)
    {
        ClusterConnection connection;
        try
        {
            connection = new ClusterConnection(new SocketTransport(socket), isOutbound: false, _options.MaxFrameBytes);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            Interlocked.Decrement(ref _pendingHandshakes);
            socket.Dispose();
            return;
        }

        AcceptOutcome outcome;
        if (!Track(connection))
        {
            connection.Close("node shutting down");
            Interlocked.Decrement(ref _pendingHandshakes);
            return;
        }
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token))
        {
            deadline.CancelAfter(_options.HandshakeTimeout);
            try
            {
                outcome = await Handshake.AcceptAsync(connection, _self, _options.Cookie, (peer, role, wantsMembers) => Admit(connection, peer, role, wantsMembers), deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ProtocolException or IOException or SocketException or InvalidOperationException or ObjectDisposedException)
            {
                string why = e is OperationCanceledException ? $"handshake did not finish within {_options.HandshakeTimeout.TotalSeconds:0.#} s" : e.Message;
                outcome = new AcceptOutcome(false, why, null, ConnectionRole.Node);
            }
            finally
            {
                Interlocked.Decrement(ref _pendingHandshakes);
            }
        }

        if (!outcome.Success)
        {
            // Losing a simultaneous-dial race is routine, not worth a warning.
            if (outcome.Refusal == RefuseCode.Duplicate) ClusterLog.DuplicateRefused(_logger, connection.RemoteHost, outcome.Peer?.Alias ?? "?");
            else if (!_stopping.IsCancellationRequested) ClusterLog.Refused(_logger, connection.RemoteHost, outcome.Message);
            connection.Close(outcome.Message);
            // Admit may have recorded the peer before the final write failed: undo that.
            OnConnectionClosed(connection, outcome.Message);
            return;
        }
        connection.Start(this, OnSendDropped);
    }

    /// <summary>Called by the acceptor's handshake once the dialer is authenticated; records it when admitted.</summary>
    private Admission Admit(ClusterConnection connection, PeerIdentity peer, ConnectionRole role, bool wantsMembers)
    {
        lock (_gate)
        {
            if (_leaving) return Admission.Refuse(RefuseCode.ShuttingDown, "the node is shutting down");
            if (role == ConnectionRole.Client)
            {
                connection.Tag = ClientTag;
                return Admission.Accept(null);
            }
            if (peer.NodeId == _options.NodeId) return Admission.Refuse(RefuseCode.Self, "a node cannot join itself");
            string? conflict = AliasConflict(peer);
            if (conflict is not null) return Admission.Refuse(RefuseCode.AliasTaken, conflict);

            var members = wantsMembers ? _peers.Records(except: peer.NodeId) : null;
            if (_peers.TryGet(peer.NodeId, out var existing))
            {
                if (existing.Connection is { } current && !connection.WinsOver(current)) return Admission.Refuse(RefuseCode.Duplicate, "already connected");
                Replace(existing, connection);
                return Admission.Accept(members);
            }
            Record(peer, connection);
            return Admission.Accept(members);
        }
    }

    /// <summary>Connects, runs the dialer's handshake and records the peer. Never throws for network trouble.</summary>
    private async Task<DialOutcome> DialAsync(string host, int port, bool wantMembers, CancellationToken ct)
    {
        string endpoint = HostPort.Format(host, port);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        deadline.CancelAfter(_options.HandshakeTimeout);
        ClusterConnection connection;
        try
        {
            var transport = await SocketTransport.ConnectAsync(host, port, _options.HandshakeTimeout, deadline.Token).ConfigureAwait(false);
            connection = new ClusterConnection(transport, isOutbound: true, _options.MaxFrameBytes);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            string why = e is OperationCanceledException ? "cancelled" : e.Message;
            ClusterLog.DialFailed(_logger, endpoint, why);
            return new DialOutcome(false, null, $"cannot connect to {endpoint}: {why}", null, null);
        }
        if (!Track(connection))
        {
            connection.Close("node shutting down");
            return new DialOutcome(false, RefuseCode.ShuttingDown, "the node is shutting down", null, null);
        }

        DialOutcome outcome;
        try
        {
            outcome = await Handshake.DialAsync(connection, _self, _options.Cookie, wantMembers, ConnectionRole.Node, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ProtocolException or IOException or SocketException or InvalidOperationException or ObjectDisposedException)
        {
            string why = e is OperationCanceledException ? $"handshake with {endpoint} did not finish within {_options.HandshakeTimeout.TotalSeconds:0.#} s" : $"handshake with {endpoint} failed: {e.Message}";
            outcome = new DialOutcome(false, RefuseCode.Protocol, why, null, null);
        }
        if (!outcome.Success)
        {
            if (outcome.Refusal is not (RefuseCode.Duplicate or RefuseCode.Self or RefuseCode.ShuttingDown)) ClusterLog.RefusedByPeer(_logger, endpoint, outcome.Message);
            connection.Close(outcome.Message);
            Untrack(connection);
            return outcome;
        }

        string? problem = RecordOutbound(connection, outcome.Peer!, out bool kept);
        if (!kept)
        {
            if (problem is not null) ClusterLog.RefusedByPeer(_logger, endpoint, problem);
            // The acceptor may have recorded this connection already: tell it to switch quietly
            // (through the send loop, the only writer once the handshake is over).
            connection.Start(this, OnSendDropped);
            connection.TrySend(new Superseded());
            _ = connection.CloseGracefullyAsync(problem ?? "duplicate connection", TimeSpan.FromSeconds(1)).ContinueWith(_ => Untrack(connection), TaskScheduler.Default);
            return problem is null
                ? new DialOutcome(false, RefuseCode.Duplicate, "already connected", outcome.Peer, outcome.Members)
                : new DialOutcome(false, RefuseCode.AliasTaken, problem, outcome.Peer, null);
        }
        connection.Start(this, OnSendDropped);
        if (outcome.Members is { } members) ConnectToMembers(members);
        return outcome;
    }

    /// <summary>Records an outbound connection's peer. Returns why it cannot be a member (null if fine); <paramref name="kept"/> says whether the connection stays.</summary>
    private string? RecordOutbound(ClusterConnection connection, PeerIdentity peer, out bool kept)
    {
        kept = false;
        lock (_gate)
        {
            if (_leaving) return "the node is shutting down";
            if (peer.NodeId == _options.NodeId) return "reached itself";
            string? conflict = AliasConflict(peer);
            if (conflict is not null) return conflict;
            if (_peers.TryGet(peer.NodeId, out var existing))
            {
                if (existing.Connection is { } current && !connection.WinsOver(current)) return null;
                Replace(existing, connection);
            }
            else
            {
                Record(peer, connection);
            }
            kept = true;
            return null;
        }
    }

    /// <summary>Why <paramref name="peer"/> may not use its alias, or null. Caller holds the lock.</summary>
    private string? AliasConflict(PeerIdentity peer)
    {
        if (peer.Alias == _options.Alias) return $"alias '{peer.Alias}' is already used by node {_options.NodeId}";
        var holder = _peers.FindByAlias(peer.Alias);
        return holder is not null && holder.NodeId != peer.NodeId
            ? $"alias '{peer.Alias}' is already used by live node {holder.NodeId}"
            : null;
    }

    /// <summary>A new member. Caller holds the lock.</summary>
    private void Record(PeerIdentity identity, ClusterConnection connection)
    {
        var peer = new Peer(identity, connection, Environment.TickCount64);
        connection.Tag = peer;
        _peers.Add(peer);
        _dialFailures.Remove(identity.NodeId);
        ClusterLog.NodeUp(_logger, identity.Alias, identity.NodeId, HostPort.Format(identity.Host, identity.Port));

        // Push the newcomer to everyone else now rather than waiting for anti-entropy: they
        // connect to it directly, which is what makes concurrent joins converge quickly.
        var announce = new MembersUpdate { Members = [peer.ToRecord()] };
        foreach (var other in _peers.All)
        {
            if (!ReferenceEquals(other, peer)) other.Connection?.TrySend(announce);
        }
    }

    /// <summary>The new connection won the simultaneous-dial race: switch to it quietly. Caller holds the lock.</summary>
    private void Replace(Peer peer, ClusterConnection connection)
    {
        var old = peer.Connection;
        connection.Tag = peer;
        peer.Connection = connection;
        peer.Touch(Environment.TickCount64);
        if (old is null) return;
        old.Tag = null;
        old.TrySend(new Superseded());
        ClusterLog.Replaced(_logger, peer.Alias, "simultaneous connect");
        _ = old.CloseGracefullyAsync("superseded", TimeSpan.FromSeconds(1));
    }

    private bool Track(ClusterConnection connection)
    {
        lock (_gate)
        {
            if (_leaving) return false;
            _connections.Add(connection);
            return true;
        }
    }

    private void Untrack(ClusterConnection connection)
    {
        lock (_gate) _connections.Remove(connection);
    }

    private void OnSendDropped(IClusterMessage message, string reason) => ClusterLog.SendDropped(_logger, message.GetType().Name, reason);
}
