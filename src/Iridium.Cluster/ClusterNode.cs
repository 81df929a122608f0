using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Processes;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Routing;
using Iridium.Cluster.Seeds;
using Iridium.Cluster.Transport;
using Iridium.Net;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster;

/// <summary>
/// One cluster node: a listener, one authenticated connection to every other member (full
/// mesh), heartbeats with failure detection, seeds with backoff, and a graceful Leave. A thin
/// façade: the work is done by the components wired here (docs/cluster.md): the
/// <see cref="PeerManager"/> owns per-peer state, the <see cref="PeerRouter"/> hands each message
/// of a member to the service that owns its tag range, the <see cref="MembershipService"/> keeps the
/// member set true, the <see cref="Acceptor"/> and <see cref="Dialer"/> run handshakes, the
/// <see cref="SeedJoiner"/> joins and rejoins, and <see cref="ClientRequests"/> answers tools.
/// </summary>
public sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>How often the node logs what unauthenticated connections did (when they did anything).</summary>
    private static readonly TimeSpan SummaryPeriod = TimeSpan.FromSeconds(10);

    private readonly ClusterOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _leaveGate = new();
    private readonly ConnectionTracker _connections = new();
    private readonly Timing.StarvationMeter _starvation;
    private readonly PeerManager _peers;
    private readonly PeerRouter _router;
    private readonly MembershipService _membership;
    private readonly MemberQueries _memberQueries;
    private readonly ClientRequests _clients;
    private readonly Iridium.Vm.ProcessRuntime _processes;
    private readonly Exec.ExecService _exec;
    private readonly ProcessService _processNetwork;
    private readonly ProcessCommands.ProcessCommandService _commands;
    private readonly Acceptor _acceptor;
    private readonly Dialer _dialer;
    private readonly SeedJoiner? _seeds;
    private TcpAcceptor? _listener;
    private Task _timerLoop = Task.CompletedTask;
    private Task? _leaving;

    public ClusterNode(ClusterOptions options, ILoggerFactory loggerFactory)
        : this(options, loggerFactory, TimeProvider.System)
    {
    }

    /// <summary>With the clock the node's timers and state machines use (tests give a fake one).</summary>
    internal ClusterNode(ClusterOptions options, ILoggerFactory loggerFactory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();
        // A node runs for long: every message type's formatter is registered now, not on its first frame.
        MessageFormatters.Register();
        _options = options;
        _time = time;
        _logger = loggerFactory.CreateLogger("Iridium.Cluster");
        var self = new LocalIdentity(options.NodeId, options.Alias, AdvertisedHostFor(options), options.BindPort);
        _starvation = new Timing.StarvationMeter(time);
        _peers = new PeerManager(self, options.DownRetention, time, _logger);
        _router = new PeerRouter(_peers, time, _logger);
        _dialer = new Dialer(options, _peers, _router, _connections, _starvation, _logger, _stopping.Token);
        _membership = new MembershipService(_peers, _dialer, options, time, _starvation);
        _processes = new Iridium.Vm.ProcessRuntime(options.Processes, alias: options.Alias);
        _exec = new Exec.ExecService(options.NodeId, options.Alias, _processes, options.Exec,
            new Exec.ExecPeers(TrySend, ResolveMember, _peers.LivePeers, _peers.Broadcast), options.HeartbeatInterval, options.MaxFrameBytes, options.MaxRequestsPerClient, time);
        _memberQueries = new MemberQueries(_exec);
        _processNetwork = new ProcessService(_processes, _peers, time, options.FailureTimeout, options.Exec);
        _processes.Network = _processNetwork;
        // Each service owns its range of the members' messages (docs/reference/cluster-protocol.md).
        _router.Register(TagRange.Membership, _membership);
        _router.Register(TagRange.ClientQueries, _memberQueries);
        _router.Register(TagRange.Exec, _exec);
        _router.Register(TagRange.Processes, _processNetwork);
        _router.Register(TagRange.GroupLinks, _processNetwork);
        _peers.PeerLost += _exec.OnPeerLost;
        _peers.PeerJoined += _membership.OnPeerJoined;
        _peers.PeerJoined += _exec.OnPeerJoined;
        _peers.PeerLost += _processNetwork.OnPeerLost;
        _commands = new ProcessCommands.ProcessCommandService(options.Alias, _processes,
            new Exec.ExecPeers(TrySend, ResolveMember, _peers.LivePeers, _peers.Broadcast), _exec.Understands, options.MaxRequestsPerClient, _exec.Logs,
            member => _peers.ConnectionTo(member)?.QueuedBytes ?? 0);
        _router.Register(TagRange.ClientProcessCommands, _commands);
        _router.Register(TagRange.ClientProcessCommandStops, _commands);
        _peers.PeerLost += _commands.OnPeerLost;
        _clients = new ClientRequests(options, asker => Snapshot(asker), _exec, _commands, time);
        _acceptor = new Acceptor(options, _peers, _router, _clients, _connections, _starvation, _logger, _stopping.Token);
        if (options.Seeds.Count > 0)
        {
            _seeds = new SeedJoiner(SeedSources.From(options.Seeds), DialSeedAsync, time, _logger, aliasGiveUp: options.AliasGiveUp);
            _peers.LiveCountChanged = _seeds.OnLiveCountChanged;
        }
    }

    public Guid NodeId => _options.NodeId;

    public string Alias => _options.Alias;

    /// <summary>The address the listener binds (clients on this host connect to it, or to loopback when it is 0.0.0.0 or ::).</summary>
    public string BindHost => _options.BindHost;

    public bool IsListening => Volatile.Read(ref _listener) is not null;

    /// <summary>The port peers dial: the one actually bound (after port search, or when binding port 0).</summary>
    public int AdvertisedPort => _listener?.Port ?? 0;

    /// <summary>Application messages (<see cref="Data"/>, <see cref="Pong"/>) from a peer, on its read loop: keep handlers short.</summary>
    internal event Action<Guid, IClusterMessage>? MessageReceived
    {
        add => _memberQueries.Received += value;
        remove => _memberQueries.Received -= value;
    }

    /// <summary>Where members' messages are dispatched by tag range (tests and diagnostics; services register while the node is wired).</summary>
    internal PeerRouter Router => _router;

    /// <summary>
    /// The node's one process runtime: its scheduler runs every program the node runs (each
    /// `exec` is the root of a group on it), its table is what `ps` lists, and its limits are
    /// the node's (<see cref="ClusterOptions.Processes"/>). Ids are ALIAS.N with this node's alias.
    /// </summary>
    public Iridium.Vm.ProcessRuntime Processes => _processes;

    /// <summary>Where a REPL hosted with the node registers the VMs it runs outside <see cref="Processes"/> (`iridium ps` lists them, `iridium kill` stops them).</summary>
    public Iridium.Vm.IProcessRegistry Registry => _exec.Registry;

    /// <summary>Processes across members: this node's side (tests and diagnostics).</summary>
    internal ProcessService ProcessNetwork => _processNetwork;

    /// <summary>The programs this node runs for `iridium exec` (tests and diagnostics).</summary>
    internal Exec.ExecService Exec => _exec;

    /// <summary>send, call, logs and kill --group (tests and diagnostics).</summary>
    internal ProcessCommands.ProcessCommandService Commands => _commands;

    /// <summary>Per-peer state, for tests and diagnostics.</summary>
    internal PeerManager Peers => _peers;

    /// <summary>Where joining through the seeds stands (Idle when the node has none).</summary>
    internal RejoinState SeedState => _seeds?.State ?? RejoinState.Idle;

    /// <summary>Unauthenticated connections held now.</summary>
    internal int PendingHandshakes => _acceptor.Pending;

    /// <summary>
    /// Completes, with why, when the node gives up joining through its seeds: they kept refusing
    /// its alias, which a live member holds (docs/cluster.md, Rejoin). Never completes otherwise.
    /// </summary>
    public Task<string> JoinRefused => _seeds?.GaveUp ?? NeverRefused.Task;

    private static readonly TaskCompletionSource<string> NeverRefused = new();

    /// <summary>The authenticated client connections, for tests and diagnostics.</summary>
    internal ClientRequests Clients => _clients;

    /// <summary>Binds the listener (with port search), starts heartbeats and joins through the seeds in the background.</summary>
    /// <summary>
    /// A client of this node from inside its own process (the REPL's cluster commands): the same
    /// requests, routing, credit and cancellation as a tool's connection, over in-memory pipes, so
    /// no listener is reached, no handshake is made and no cookie is read. It takes one of the
    /// node's client slots, under the name <paramref name="who"/> (what `ps` shows as the origin),
    /// and gives it back when disposed. Throws <see cref="Client.ClusterClientException"/> when
    /// every slot is taken.
    /// </summary>
    public Client.ClusterClient OpenInProcessClient(string who, TimeSpan timeout)
    {
        if (_clients.TryAdmit(who) is { } busy) throw new Client.ClusterClientException(busy);
        var (dialer, acceptor) = PipeTransport.CreatePair(dialerHost: who, acceptorHost: Alias);
        var served = new ClusterConnection(acceptor, isOutbound: false, _options.MaxFrameBytes);
        served.Start(_clients, (message, why) => ClusterLog.SendDropped(_logger, message.GetType().Name, why), _options.QueueBytesFor(member: false), readOnlyAsFastAsAnswered: true);
        _clients.Started(served);
        return Client.ClusterClient.InProcess(new ClusterConnection(dialer, isOutbound: true, _options.MaxFrameBytes), Alias, timeout);
    }

    public async Task StartAsync(CancellationToken ct = default)
    {
        await EnsureListeningAsync(ct).ConfigureAwait(false);
        _seeds?.Start();
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
        var outcome = await _dialer.DialAsync(host, port, wantMembers: true, ct).ConfigureAwait(false);
        if (outcome.Success) return new JoinResult(true, $"joined the cluster through {outcome.Peer!.Alias} at {HostPort.Format(host, port)}");
        if (outcome.Refusal == RefuseCode.Duplicate) return new JoinResult(true, $"already connected to {HostPort.Format(host, port)}");
        return new JoinResult(false, UntrustedText.Escape(outcome.Message));
    }

    /// <summary>This node's view, sorted by alias: itself (status Self), every live peer, and members down within the retention period.</summary>
    public IReadOnlyList<MemberInfo> Members => Snapshot(asker: null);

    /// <summary>The node id of a live member given by alias or by node id (what routing a message to a node needs).</summary>
    internal Guid? ResolveMember(string aliasOrId)
        => Guid.TryParse(aliasOrId, out var id) ? (_peers.ConnectionTo(id) is not null ? id : null) : _peers.LiveNodeNamed(aliasOrId);

    /// <summary>
    /// A service built outside this assembly (the replicated store) takes its range of the members'
    /// messages; called before <see cref="StartAsync"/>.
    /// </summary>
    internal void AddService(TagRange range, IPeerService service) => _router.Register(range, service);

    /// <summary>A service built outside this assembly answers its range of the clients' messages; called before <see cref="StartAsync"/>.</summary>
    internal void AddClientService(TagRange range, IClientService service) => _clients.Register(range, service);

    /// <summary>A connected member's alias, or null.</summary>
    internal string? AliasOf(Guid nodeId) => _peers.Find(nodeId)?.Identity.Alias;

    /// <summary>A member's connection ended (its node id and alias).</summary>
    internal event Action<Guid, string>? PeerLost
    {
        add => _peers.PeerLost += value;
        remove => _peers.PeerLost -= value;
    }

    /// <summary>Queues a message for a peer; false when it is not connected or its queue is full.</summary>
    internal bool TrySend(Guid nodeId, IClusterMessage message) => _peers.ConnectionTo(nodeId)?.TrySend(message) ?? false;

    /// <summary>Queues a message for a peer, waiting while its queue is full; false when it is not connected.</summary>
    internal async ValueTask<bool> SendAsync(Guid nodeId, IClusterMessage message, CancellationToken ct = default)
    {
        var connection = _peers.ConnectionTo(nodeId);
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

    /// <summary>Tells every peer we are leaving (they drop us at once), then closes everything. Idempotent; concurrent calls wait for the same leave.</summary>
    public Task LeaveAsync(CancellationToken ct = default)
    {
        Task leaving;
        lock (_leaveGate) leaving = _leaving ??= LeaveOnceAsync();
        return leaving.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        await LeaveAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _startLock.Dispose();
    }

    private async Task LeaveOnceAsync()
    {
        // Programs first, while their requesters can still be told (exit 69, "shutting down").
        await _exec.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        var peers = _peers.Close();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_seeds is not null) await _seeds.StopAsync().ConfigureAwait(false);

        var leave = new Leave { Reason = "shutdown" };
        var closing = new List<Task>();
        foreach (var connection in peers)
        {
            connection.TrySend(leave);
            closing.Add(connection.CloseGracefullyAsync(CloseReason.Leaving, "left the cluster", TimeSpan.FromSeconds(1)));
        }
        await Task.WhenAll(closing).ConfigureAwait(false);
        foreach (var connection in _connections.Stop()) connection.Close(CloseReason.Leaving, "node shutting down");
        if (_listener is { } listener) await listener.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _timerLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (IsListening) ClusterLog.Left(_logger, closing.Count);
        _processes.Dispose();
    }

    private async Task EnsureListeningAsync(CancellationToken ct)
    {
        if (IsListening) return;
        await _startLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (IsListening) return;
            ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
            var listener = TcpAcceptor.Bind(_options.BindHost, _options.BindPort, _options.PortSearch, port => ClusterLog.PortTaken(_logger, port));
            _peers.Self = _peers.Self with { AdvertisedPort = listener.Port };
            Volatile.Write(ref _listener, listener);
            listener.Start(_acceptor.OnAccepted);
            _timerLoop = Task.Run(TimerLoopAsync);
            ClusterLog.Listening(_logger, HostPort.Format(listener.LocalEndPoint.Address.ToString(), listener.Port), _options.Alias, _options.NodeId, listener.Port);
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <summary>The membership timer (heartbeats, failure detection, expiry), and now and then a word about strangers.</summary>
    private async Task TimerLoopAsync()
    {
        var interval = _membership.TickInterval;
        int ticksPerSummary = Math.Max(1, (int)(SummaryPeriod / interval));
        int ticksPerHeartbeat = Math.Max(1, (int)(_options.HeartbeatInterval / interval));
        using var timer = new PeriodicTimer(interval, _time);
        int ticks = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    _starvation.Tick(interval);
                    _membership.Tick();
                    _processNetwork.Tick();
                    if (ticks % ticksPerHeartbeat == 0)
                    {
                        _exec.Tick();
                        _clients.Sweep();
                    }
                    if (++ticks % ticksPerSummary == 0) _acceptor.Summarize(SummaryPeriod);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug here must not stop the heartbeats: every peer would mark this node down.
                    ClusterLog.TickFailed(_logger, e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Node stopping.
        }
    }

    private async Task<SeedAnswer> DialSeedAsync(SeedAddress seed, CancellationToken ct)
    {
        var outcome = await _dialer.DialAsync(seed.Host, seed.Port, wantMembers: true, ct).ConfigureAwait(false);
        return outcome.Success || outcome.Refusal == RefuseCode.Duplicate ? SeedAnswer.Joined
            : outcome.Refusal == RefuseCode.Self ? SeedAnswer.Self
            : outcome.Refusal == RefuseCode.AliasTaken ? SeedAnswer.AliasTaken
            : SeedAnswer.NoAnswer;
    }

    /// <summary>Sorted view; <paramref name="asker"/> is the address a client reached us on, used for our host when we advertise none.</summary>
    private List<MemberInfo> Snapshot(string? asker)
    {
        var self = _peers.Self;
        string host = self.AdvertisedHost.Length > 0 ? self.AdvertisedHost : asker ?? _options.BindHost;
        var members = new List<MemberInfo> { new(_options.Alias, _options.NodeId, host, AdvertisedPort, MemberStatus.Self, 0) };
        _peers.AddListed(members);
        members.Sort((a, b) => string.CompareOrdinal(a.Alias, b.Alias) is var byAlias and not 0 ? byAlias : a.Status.CompareTo(b.Status));
        return members;
    }

    /// <summary>What we tell peers to dial: --advertise-host, else a concrete bind host, else nothing ("what you see").</summary>
    private static string AdvertisedHostFor(ClusterOptions options)
        => !string.IsNullOrWhiteSpace(options.AdvertiseHost) ? options.AdvertiseHost.Trim()
            : HostPort.IsUnspecified(options.BindHost) ? "" : options.BindHost;
}
