using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Transport;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster;

/// <summary>
/// One cluster node: a listener, one authenticated connection to every other member (full
/// mesh), heartbeats with failure detection, seeds with backoff, and a graceful Leave.
/// This file is the public surface and the lifecycle; ClusterNode.Connections.cs runs
/// handshakes and keeps one connection per pair, ClusterNode.Membership.cs handles messages,
/// heartbeats, anti-entropy and seeds.
/// </summary>
/// <remarks>
/// Concurrency: one lock (<see cref="_gate"/>) guards the peer table and the dial bookkeeping;
/// nothing blocks or waits while holding it (sends only enqueue). Read loops call back on
/// thread-pool threads; the hot path (application data) reads the peer from the connection's
/// tag without the lock.
/// </remarks>
public sealed partial class ClusterNode : IAsyncDisposable, IConnectionHandler
{
    private const int MaxPendingHandshakes = 128;

    private readonly ClusterOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly PeerTable _peers = new();
    private readonly HashSet<ClusterConnection> _connections = [];
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private ClusterListener? _listener;
    private LocalIdentity _self;
    private Task _timerLoop = Task.CompletedTask;
    private bool _leaving;

    public ClusterNode(ClusterOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();
        _options = options;
        _logger = loggerFactory.CreateLogger("Iridium.Cluster");
        _self = new LocalIdentity(options.NodeId, options.Alias, AdvertisedHostFor(options), options.BindPort);
    }

    public Guid NodeId => _options.NodeId;

    public string Alias => _options.Alias;

    public bool IsListening => Volatile.Read(ref _listener) is not null;

    /// <summary>The port peers dial: the one actually bound (after port search, or when binding port 0).</summary>
    public int AdvertisedPort => _listener?.Port ?? 0;

    /// <summary>Application messages (<see cref="Data"/>, <see cref="Pong"/>) from a peer, on its read loop: keep handlers short.</summary>
    internal event Action<Guid, IClusterMessage>? MessageReceived;

    /// <summary>Binds the listener (with port search), starts heartbeats and joins through the seeds in the background.</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        await EnsureListeningAsync(ct).ConfigureAwait(false);
        StartSeedLoop();
    }

    /// <summary>Joins the cluster <paramref name="host"/>:<paramref name="port"/> belongs to; starts the listener first if needed.</summary>
    public async Task<JoinResult> JoinAsync(string host, int port, CancellationToken ct = default)
    {
        try
        {
            await EnsureListeningAsync(ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return new JoinResult(false, $"cannot listen on {HostPort.Format(_options.BindHost, _options.BindPort)}: {e.Message}");
        }
        var outcome = await DialAsync(host, port, wantMembers: true, ct).ConfigureAwait(false);
        if (outcome.Success) return new JoinResult(true, $"joined the cluster through {outcome.Peer!.Alias} at {HostPort.Format(host, port)}");
        if (outcome.Refusal == RefuseCode.Duplicate) return new JoinResult(true, $"already connected to {HostPort.Format(host, port)}");
        return new JoinResult(false, outcome.Message);
    }

    /// <summary>This node's view, sorted by alias: itself (status Self) and every live peer.</summary>
    public IReadOnlyList<MemberInfo> Members => Snapshot(selfHost: null);

    /// <summary>Queues a message for a peer; false when it is not connected or its queue is full.</summary>
    internal bool TrySend(Guid nodeId, IClusterMessage message)
    {
        ClusterConnection? connection;
        lock (_gate) connection = _peers.TryGet(nodeId, out var peer) ? peer.Connection : null;
        return connection?.TrySend(message) ?? false;
    }

    /// <summary>Queues a message for a peer, waiting while its queue is full; false when it is not connected.</summary>
    internal async ValueTask<bool> SendAsync(Guid nodeId, IClusterMessage message, CancellationToken ct = default)
    {
        ClusterConnection? connection;
        lock (_gate) connection = _peers.TryGet(nodeId, out var peer) ? peer.Connection : null;
        if (connection is null) return false;
        try
        {
            await connection.SendAsync(message, ct).ConfigureAwait(false);
            return true;
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            return false;
        }
    }

    /// <summary>Tells every peer we are leaving (they drop us at once), then closes everything. Idempotent.</summary>
    public async Task LeaveAsync(CancellationToken ct = default)
    {
        List<Peer> peers;
        List<ClusterConnection> others;
        lock (_gate)
        {
            if (_leaving) return;
            _leaving = true;
            peers = [.. _peers.All];
            foreach (var peer in peers) _peers.Remove(peer);
            others = [.. _connections];
        }
        _stopping.Cancel();

        var leave = new Leave { Reason = "shutdown" };
        var closing = new List<Task>();
        foreach (var peer in peers)
        {
            var connection = peer.Connection;
            if (connection is null) continue;
            connection.Tag = null;
            connection.TrySend(leave);
            closing.Add(connection.CloseGracefullyAsync("left the cluster", TimeSpan.FromSeconds(1)));
        }
        await Task.WhenAll(closing).WaitAsync(ct).ConfigureAwait(false);
        foreach (var connection in others) connection.Close("node shutting down");
        if (_listener is { } listener) await listener.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _timerLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (IsListening) ClusterLog.Left(_logger, closing.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await LeaveAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _startLock.Dispose();
    }

    private async Task EnsureListeningAsync(CancellationToken ct)
    {
        if (IsListening) return;
        await _startLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (IsListening) return;
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            var listener = await ClusterListener.BindAsync(_options.BindHost, _options.BindPort, _options.PortSearch, _logger, ct).ConfigureAwait(false);
            _self = _self with { AdvertisedPort = listener.Port };
            Volatile.Write(ref _listener, listener);
            listener.Start(OnAccepted);
            _timerLoop = Task.Run(TimerLoopAsync);
            ClusterLog.Listening(_logger, HostPort.Format(listener.LocalEndPoint.Address.ToString(), listener.Port), _options.Alias, _options.NodeId, listener.Port);
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>Sorted view; <paramref name="selfHost"/> is the address a client reached us on, used when we advertise none.</summary>
    private List<MemberInfo> Snapshot(string? selfHost)
    {
        long now = Environment.TickCount64;
        string host = _self.AdvertisedHost.Length > 0 ? _self.AdvertisedHost : selfHost ?? _options.BindHost;
        var members = new List<MemberInfo> { new(_options.Alias, _options.NodeId, host, AdvertisedPort, MemberStatus.Self, 0) };
        lock (_gate)
        {
            foreach (var peer in _peers.All)
            {
                members.Add(new MemberInfo(peer.Alias, peer.NodeId, peer.Identity.Host, peer.Identity.Port, MemberStatus.Up, Math.Max(0, now - peer.LastSeenTicks)));
            }
        }
        members.Sort((a, b) => string.CompareOrdinal(a.Alias, b.Alias));
        return members;
    }

    /// <summary>What we tell peers to dial: --advertise-host, else a concrete bind host, else nothing ("what you see").</summary>
    private static string AdvertisedHostFor(ClusterOptions options)
        => !string.IsNullOrWhiteSpace(options.AdvertiseHost) ? options.AdvertiseHost.Trim()
            : HostPort.IsUnspecified(options.BindHost) ? "" : options.BindHost;
}
