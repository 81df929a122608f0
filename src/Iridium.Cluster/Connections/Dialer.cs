using System.Net.Sockets;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;
using Iridium.Cluster.Timing;
using Iridium.Cluster.Transport;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Connections;

/// <summary>
/// Runs the dialer's side: connect, handshake, then hand the connection to the peer manager.
/// Used for seeds (with a Hello, to get the member list) and for members heard of (with a Join,
/// through a <see cref="DialTicket"/> whose outcome goes back to the member's entry). Dials to
/// members take turns: at most <see cref="ClusterOptions.MaxConcurrentDials"/> handshakes at once,
/// each deadline starting when its turn comes, so a node that hears of a hundred members does not
/// start a hundred handshakes that all miss their deadline on a busy host and retry together.
/// </summary>
internal sealed class Dialer(ClusterOptions options, PeerManager peers, PeerRouter router, ConnectionTracker connections, StarvationMeter starvation, ILogger logger, CancellationToken stopping)
{
    /// <summary>
    /// How many times the acceptor's deadline (<see cref="ClusterOptions.HandshakeTimeout"/>) the
    /// dialer waits for a handshake to end. The acceptor decides: it admits, or says busy when its
    /// own deadline passes. A dialer that gave up at the same deadline threw away handshakes the
    /// acceptor had just admitted (it logged the member up and lost it at once) or was still
    /// working on: about 1,900 in a 256-node formation on two cores, each redialed after a backoff.
    /// </summary>
    public const int Patience = 2;

    private readonly SemaphoreSlim _turns = new(options.MaxConcurrentDials, options.MaxConcurrentDials);

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> and records the node there. Never
    /// throws for network trouble. A peer that hangs up on the encrypted handshake is dialed again
    /// in plain text (protocol 1) when <see cref="ClusterOptions.AllowPlaintextPeers"/> is set.
    /// </summary>
    public async Task<DialOutcome> DialAsync(string host, int port, bool wantMembers, CancellationToken ct)
    {
        var outcome = await DialAsync(host, port, wantMembers, plaintext: false, ct).ConfigureAwait(false);
        if (!outcome.PeerMayBeOlder || !options.AllowPlaintextPeers) return outcome;
        outcome = await DialAsync(host, port, wantMembers, plaintext: true, ct).ConfigureAwait(false);
        if (outcome.Success) ClusterLog.PlaintextPeer(logger, outcome.Peer!.Alias, HostPort.Format(host, port));
        return outcome;
    }

    private async Task<DialOutcome> DialAsync(string host, int port, bool wantMembers, bool plaintext, CancellationToken ct)
    {
        string endpoint = HostPort.Format(host, port);
        var timeout = options.HandshakeTimeout * Patience;
        using var deadline = new StarvedDeadline(timeout, starvation, starvation.Time, ct, stopping);
        ClusterConnection connection;
        var opening = plaintext ? null : ChannelEncryption.Open(options.Cookie, byNode: true);
        try
        {
            var transport = await SocketTransport.ConnectAsync(host, port, options.HandshakeTimeout, deadline.Token).ConfigureAwait(false);
            connection = new ClusterConnection(transport, isOutbound: true, options.MaxFrameBytes);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            string why = e is OperationCanceledException ? "cancelled" : e.Message;
            ClusterLog.DialFailed(logger, endpoint, why);
            return new DialOutcome(false, null, $"cannot connect to {endpoint}: {why}", null, null);
        }
        if (!connections.TryTrack(connection))
        {
            connection.Close(CloseReason.Leaving, "node shutting down");
            return new DialOutcome(false, RefuseCode.ShuttingDown, "the node is shutting down", null, null);
        }

        DialOutcome outcome;
        try
        {
            outcome = await Handshake.DialAsync(connection, peers.Self, options.Cookie, wantMembers, ConnectionRole.Node, deadline.Token, plaintext, opening).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ProtocolException or IOException or SocketException or InvalidOperationException or ObjectDisposedException)
        {
            string why = e is OperationCanceledException ? $"handshake with {endpoint} did not finish within {(timeout.TotalMilliseconds + deadline.ExtendedMs) / 1000:0.#} s" : $"handshake with {endpoint} failed: {e.Message}";
            // A timeout or a broken connection is not a refusal: on an overloaded host there are
            // thousands, each retried with backoff; a line each is for --verbose.
            if (e is ProtocolException) ClusterLog.RefusedByPeer(logger, endpoint, UntrustedText.Escape(why));
            else ClusterLog.DialFailed(logger, endpoint, why);
            connection.Close(CloseReason.HandshakeFailed, why);
            return new DialOutcome(false, RefuseCode.Protocol, why, null, null);
        }
        if (!outcome.Success)
        {
            if (!IsRoutine(outcome.Refusal) && !(outcome.PeerMayBeOlder && options.AllowPlaintextPeers)) ClusterLog.RefusedByPeer(logger, endpoint, UntrustedText.Escape(outcome.Message));
            connection.Close(CloseReason.HandshakeFailed, outcome.Message);
            return outcome;
        }

        var result = peers.Connect(connection, outcome.Peer!, wantMembers: false);
        if (!result.Accepted)
        {
            if (!IsRoutine(result.Refusal)) ClusterLog.RefusedByPeer(logger, endpoint, result.Reason!);
            // The acceptor may have recorded this connection already: tell it to switch quietly
            // (through the connection's queue and its writer, the only one once the handshake is over).
            connection.Start(DrainingHandler.Instance, OnSendDropped);
            connection.TrySend(new Superseded());
            _ = connection.CloseGracefullyAsync(CloseReason.Done, result.Reason!, TimeSpan.FromSeconds(1));
            return result.Refusal == RefuseCode.Duplicate
                ? new DialOutcome(false, RefuseCode.Duplicate, "already connected", outcome.Peer, outcome.Members)
                : new DialOutcome(false, result.Refusal, result.Reason!, outcome.Peer, null);
        }
        connection.Start(router.LinkFor(result.Entry!), OnSendDropped, options.QueueBytesFor(member: true));
        if (outcome.Members is { } members) Learn(members);
        return outcome;
    }

    /// <summary>Members learned from a HelloAck or a MembersUpdate: connect to the ones we lack.</summary>
    public void Learn(IReadOnlyList<MemberRecord?> members) => DialMembers(peers.Heard(members));

    /// <summary>Runs the dials the peer manager started, each in the background.</summary>
    public void DialMembers(IReadOnlyList<DialTicket> tickets)
    {
        foreach (var ticket in tickets) _ = Task.Run(() => DialMemberAsync(ticket));
    }

    private async Task DialMemberAsync(DialTicket ticket)
    {
        DialOutcome outcome;
        try
        {
            await _turns.WaitAsync(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            peers.DialEnded(ticket, "node shutting down");
            return;
        }
        try
        {
            // Overtaken while it waited (the node connected to us): nothing to end, the ticket is spent.
            if (!peers.IsWanted(ticket)) return;
            outcome = await DialAsync(ticket.Host, ticket.Port, wantMembers: false, stopping).ConfigureAwait(false);
        }
        finally
        {
            _turns.Release();
        }
        // On success the connection is recorded and the ticket already spent; a duplicate means
        // the other side kept another connection with us: neither is a failure of the member.
        string? failure = outcome switch
        {
            { Success: true } when outcome.Peer!.NodeId != ticket.NodeId => $"{HostPort.Format(ticket.Host, ticket.Port)} is node {outcome.Peer.NodeId} now",
            { Success: true } or { Refusal: RefuseCode.Duplicate } => null,
            _ => outcome.Message,
        };
        peers.DialEnded(ticket, failure);
    }

    /// <summary>
    /// Refusals that are part of normal operation, not worth a warning: a simultaneous-dial race,
    /// our own seed, a node going away, a node too busy with handshakes (retried after a backoff).
    /// </summary>
    private static bool IsRoutine(RefuseCode? refusal) => refusal is RefuseCode.Duplicate or RefuseCode.Self or RefuseCode.ShuttingDown or RefuseCode.Busy;

    private void OnSendDropped(IClusterMessage message, string reason) => ClusterLog.SendDropped(logger, message.GetType().Name, reason);
}
