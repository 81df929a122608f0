using System.Net.Sockets;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;
using Iridium.Cluster.Timing;
using Iridium.Cluster.Transport;
using Iridium.Net;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Connections;

/// <summary>
/// Runs the acceptor's side of every incoming connection: admission into the budget of
/// unauthenticated connections (<see cref="PreAuthBudget"/>: its own slots, a per-address cap,
/// oldest dropped first, a short deadline), the handshake, then hands the connection to the peer
/// manager (a member) or to <see cref="ClientRequests"/> (a tool). Nothing a stranger does here
/// uses anything an authenticated member or client needs. A connection pushed out of the budget
/// is told so (<see cref="RefuseCode.Busy"/>) before it is closed, so a client or member that
/// shares its address with a flood, or arrives with a hundred others, retries instead of failing.
/// </summary>
internal sealed class Acceptor
{
    /// <summary>Handshake refusals logged one by one per summary period; the rest are counted.</summary>
    private const int RefusalLinesPerPeriod = 20;

    private readonly ClusterOptions _options;
    private readonly PeerManager _peers;
    private readonly PeerRouter _router;
    private readonly ClientRequests _clients;
    private readonly ConnectionTracker _connections;
    private readonly PreAuthBudget _budget;
    private readonly StarvationMeter _starvation;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private long _failed;
    private long _refusalLines;
    private long _unlogged;

    public Acceptor(ClusterOptions options, PeerManager peers, PeerRouter router, ClientRequests clients, ConnectionTracker connections, StarvationMeter starvation, ILogger logger, CancellationToken stopping)
    {
        _starvation = starvation;
        _options = options;
        _peers = peers;
        _router = router;
        _clients = clients;
        _connections = connections;
        _budget = new PreAuthBudget(options.MaxPendingHandshakes, options.MaxPendingPerAddress);
        _logger = logger;
        _stopping = stopping;
    }

    /// <summary>Unauthenticated connections held now.</summary>
    public int Pending => _budget.Count;

    /// <summary>Called by the listener for every accepted socket; never throws, never waits.</summary>
    public void OnAccepted(Socket socket)
    {
        ClusterConnection connection;
        try
        {
            connection = new ClusterConnection(new SocketTransport(socket), isOutbound: false, _options.MaxFrameBytes);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            socket.Dispose();
            return;
        }
        if (!_connections.TryTrack(connection))
        {
            connection.Close(CloseReason.Leaving, "node shutting down");
            return;
        }
        // Pushed out: the handshake (the connection's only writer) stops, says busy and closes.
        var dropped = new CancellationTokenSource();
        var progress = new HandshakeProgress(socket);
        var ticket = _budget.Admit(connection.RemoteHost, () => CancelQuietly(dropped), () => progress.Activity);
        _ = Task.Run(() => HandshakeAsync(connection, ticket, progress, dropped.Token));
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The handshake ended meanwhile.
        }
    }

    /// <summary>One log line about what strangers did since the last call, when they did anything.</summary>
    public void Summarize(TimeSpan period)
    {
        long dropped = _budget.TakeDropped();
        long failed = Interlocked.Exchange(ref _failed, 0);
        long unlogged = Interlocked.Exchange(ref _unlogged, 0);
        Interlocked.Exchange(ref _refusalLines, 0);
        if (dropped + failed + unlogged == 0) return;
        ClusterLog.UnauthenticatedSummary(_logger, (int)period.TotalSeconds, dropped, _budget.Capacity, _budget.PerSourceCap, failed, unlogged);
    }

    private async Task HandshakeAsync(ClusterConnection connection, PreAuthBudget.Ticket ticket, HandshakeProgress progress, CancellationToken dropped)
    {
        var admitted = new Admitted();
        AcceptOutcome outcome;
        string? busy = null;
        using (ticket)
        // The deadline only, not the node's stopping: a handshake that admitted a member just as
        // the node began to leave must still finish its HelloAck, or the Leave queued behind it is
        // lost and the peer reports "connection lost" instead of "left". Leaving closes whatever
        // handshakes are still pending once the peers have been told.
        using (var deadline = new StarvedDeadline(_options.HandshakeTimeout, _starvation, _starvation.Time, dropped))
        {
            try
            {
                outcome = await Handshake.AcceptAsync(connection, _peers.Self, _options.Cookie,
                    (peer, role, wantsMembers) => Admit(connection, ticket, admitted, peer, role, wantsMembers), deadline.Token, progress, _options.AllowPlaintextPeers).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ProtocolException or IOException or SocketException or InvalidOperationException or ObjectDisposedException)
            {
                string why = ticket.WasDropped ? Dropped
                    : e is OperationCanceledException ? $"handshake did not finish within {(_options.HandshakeTimeout.TotalMilliseconds + deadline.ExtendedMs) / 1000:0.#} s"
                    : e.Message;
                outcome = new AcceptOutcome(false, why, null, ConnectionRole.Node, RefuseCode.Protocol, Junk: true);
                // Pushed out, or out of time on a node too busy to finish it: either way the
                // dialer is not at fault, and trying again is the remedy.
                // Not once admitted: the dialer may have its HelloAck already, and a Refuse after it is a protocol error.
                if (!ticket.WasDropped && e is OperationCanceledException && admitted.Entry is null && !admitted.Client) busy = $"busy: {why}; try again";
            }
        }
        if (busy is not null || ticket.WasDropped) await SayBusyAsync(connection, busy ?? BusyReason(connection.RemoteHost)).ConfigureAwait(false);

        if (!outcome.Success)
        {
            connection.Close(ticket.WasDropped ? CloseReason.Dropped : CloseReason.HandshakeFailed, outcome.Message);
            // Admitted, then the last handshake write failed: undo that.
            if (admitted.Entry is { } entry) _peers.ConnectionClosed(entry, connection, new ConnectionClose(CloseReason.HandshakeFailed, outcome.Message));
            if (admitted.Client) _clients.Release(connection.RemoteHost);
            LogFailure(connection, outcome);
            return;
        }
        if (outcome.Plaintext) ClusterLog.PlaintextPeer(_logger, UntrustedText.Escape(outcome.Peer!.Alias), connection.RemoteHost);
        if (admitted.Entry is { } member)
        {
            connection.Start(_router.LinkFor(member), OnSendDropped, _options.QueueBytesFor(member: true));
            return;
        }
        connection.KeepAlive(_options.FailureTimeout);
        _clients.Started(connection);
        // Read here: a request the client sent with its Proof (exec) is waiting already.
        connection.Start(_clients, OnSendDropped, _options.QueueBytesFor(member: false), readOnlyAsFastAsAnswered: true, readHere: true);
    }

    /// <summary>Called by the handshake once the dialer is authenticated: decides, and records it when admitted.</summary>
    private Admission Admit(ClusterConnection connection, PreAuthBudget.Ticket ticket, Admitted admitted, PeerIdentity peer, ConnectionRole role, bool wantsMembers)
    {
        // Authenticated: out of the strangers' budget. Dropped a moment ago? Then it is closed already.
        if (!ticket.Complete()) return Admission.Refuse(RefuseCode.Busy, BusyReason(connection.RemoteHost));
        if (role == ConnectionRole.Client)
        {
            if (_clients.TryAdmit(connection.RemoteHost) is { } busy) return Admission.Refuse(RefuseCode.Busy, busy);
            admitted.Client = true;
            return Admission.Accept(null);
        }
        var result = _peers.Connect(connection, peer, wantsMembers);
        if (!result.Accepted) return Admission.Refuse(result.Refusal!.Value, result.Reason!);
        admitted.Entry = result.Entry;
        return Admission.Accept(result.Members);
    }

    private void LogFailure(ClusterConnection connection, AcceptOutcome outcome)
    {
        if (_stopping.IsCancellationRequested) return;
        // Losing a simultaneous-dial race is routine, not worth a warning.
        if (outcome.Refusal == RefuseCode.Duplicate)
        {
            ClusterLog.DuplicateRefused(_logger, connection.RemoteHost, outcome.Peer?.Alias ?? "?");
            return;
        }
        // This node dialling itself: its seed list names it, as a Kubernetes headless Service or
        // any shared list does. The dialling side counts that seed as itself; nothing is wrong.
        if (outcome.Refusal == RefuseCode.Self)
        {
            ClusterLog.SelfRefused(_logger, connection.RemoteHost);
            return;
        }
        string why = UntrustedText.Escape(outcome.Message);
        if (outcome.Junk)
        {
            Interlocked.Increment(ref _failed);
            ClusterLog.HandshakeJunk(_logger, connection.RemoteHost, why);
            return;
        }
        if (Interlocked.Increment(ref _refusalLines) > RefusalLinesPerPeriod)
        {
            Interlocked.Increment(ref _unlogged);
            return;
        }
        ClusterLog.Refused(_logger, connection.RemoteHost, why);
    }

    /// <summary>Why a pushed-out connection ends (the acceptor's log).</summary>
    private const string Dropped = "dropped to make room for a newer unauthenticated connection";

    /// <summary>What a pushed-out dialer hears: it is not at fault, and trying again is the remedy.</summary>
    private string BusyReason(string address)
        => $"busy: too many connections from {address} are completing their handshake (at most {_budget.PerSourceCap} per address, {_budget.Capacity} in all); try again";

    /// <summary>Tells a dialer it was turned away as busy, briefly: it must not hold the connection any longer than that.</summary>
    private static async Task SayBusyAsync(ClusterConnection connection, string reason)
    {
        using var briefly = new CancellationTokenSource(BusyWriteTimeout);
        await Handshake.TryRefuseAsync(connection, RefuseCode.Busy, reason, briefly.Token).ConfigureAwait(false);
    }

    /// <summary>How long the busy answer may take to write: at once into an empty socket buffer, unless the dialer stalls (or this node is starved).</summary>
    private static readonly TimeSpan BusyWriteTimeout = TimeSpan.FromSeconds(1);

    private void OnSendDropped(IClusterMessage message, string reason) => ClusterLog.SendDropped(_logger, message.GetType().Name, reason);

    /// <summary>What the admission decided, for undoing it if the handshake fails afterwards.</summary>
    private sealed class Admitted
    {
        public PeerEntry? Entry { get; set; }
        public bool Client { get; set; }
    }
}
