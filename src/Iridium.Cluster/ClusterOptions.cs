using Iridium.Crypto;

namespace Iridium.Cluster;

/// <summary>
/// Everything a <see cref="ClusterNode"/> needs. The settings a user chooses are required: their
/// defaults live with the rest of the process's defaults in the CLI (Iridium.Cli/Defaults.cs).
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Smallest frame cap <see cref="MaxFrameBytes"/> may be: any handshake frame must fit.</summary>
    public const int MinFrameBytes = Protocol.ProtocolLimits.MinFrameBytes;

    /// <summary>Unique within a cluster; a second live node with the same alias is refused. See <see cref="AliasRules"/>.</summary>
    public string Alias { get; set; } = "";

    /// <summary>Identifies this run of the node; a restarted node is a new member.</summary>
    public Guid NodeId { get; set; } = SecureRandom.NewGuid();

    /// <summary>Address to listen on: an IP literal or a host name (resolved).</summary>
    public required string BindHost { get; set; }

    /// <summary>Port to listen on; 0 lets the system pick one (tests).</summary>
    public required int BindPort { get; set; }

    /// <summary>How many ports after <see cref="BindPort"/> to try when it is taken.</summary>
    public int PortSearch { get; set; }

    /// <summary>The host peers should use to reach this node (containers, NAT); by default the bind host, or the address peers see when binding 0.0.0.0.</summary>
    public string? AdvertiseHost { get; set; }

    /// <summary>
    /// Members to join through at start, and again whenever every peer is lost: HOST:PORT, or
    /// dns:NAME:PORT for every A/AAAA record of NAME, looked up again on each round.
    /// </summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>Null when <paramref name="seed"/> is a seed <see cref="Seeds"/> accepts, else what is wrong with it.</summary>
    public static string? SeedProblem(string seed) => Iridium.Cluster.Seeds.SeedSources.Problem(seed);

    /// <summary>The cluster cookie (shared secret); never sent.</summary>
    public byte[] Cookie { get; set; } = [];

    public required TimeSpan HeartbeatInterval { get; set; }

    /// <summary>A peer not heard from for this long is marked down.</summary>
    public required TimeSpan FailureTimeout { get; set; }

    /// <summary>Largest frame accepted after the handshake; a larger length prefix closes the connection.</summary>
    public required int MaxFrameBytes { get; set; }

    /// <summary>How long a member that went down stays listed (status down, with when and why) before it is forgotten.</summary>
    public required TimeSpan DownRetention { get; set; }

    /// <summary>
    /// A connection whose handshake has not finished by then is closed, and a dial gives up. Short,
    /// because until then a stranger holds one of the <see cref="MaxPendingHandshakes"/> slots.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Unauthenticated connections held at once; a newer one pushes out the oldest (docs/cluster.md, Admission).</summary>
    public int MaxPendingHandshakes { get; set; } = 128;

    /// <summary>
    /// Unauthenticated connections held at once from one source address. Half the budget: a
    /// flood from one address never holds more, so a newcomer from elsewhere is never pushed out;
    /// and room for the burst of a 32-node mesh started on one host (at 16, its dials were pushed
    /// out of each other's way and retried a second later).
    /// </summary>
    public int MaxPendingPerAddress { get; set; } = 64;

    /// <summary>
    /// Handshakes this node runs at once as the dialer of members it heard of; the others wait
    /// their turn. Few, so that many nodes started at once on one host do not start more
    /// handshakes than the host can finish before their deadlines (docs/cluster.md, At scale).
    /// </summary>
    public int MaxConcurrentDials { get; set; } = 4;

    /// <summary>
    /// How long the seeds may refuse this node's alias (a live member holds it), round after
    /// round, before the node gives up joining (<see cref="ClusterNode.JoinRefused"/>). Longer than
    /// the members' failure timeout, so a node restarted at once after a crash gets in once its
    /// old self is marked down.
    /// </summary>
    public TimeSpan AliasGiveUp { get; set; } = Iridium.Cluster.Seeds.RejoinMachine.DefaultAliasGiveUp;

    /// <summary>Authenticated client connections (`iridium members`, `iridium ping`) served at once.</summary>
    public int MaxClientConnections { get; set; } = 64;

    /// <summary>
    /// Authenticated client connections served at once from one address: half the total, so one
    /// address holding its maximum leaves room for the tools of every other one.
    /// </summary>
    public int MaxClientConnectionsPerAddress { get; set; } = 32;

    /// <summary>
    /// An authenticated client connection that sent nothing for this long and has no program
    /// running is closed, so idle tools cannot hold the client slots for ever.
    /// </summary>
    public TimeSpan ClientIdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Requests (exec, ps, kill) one client connection may have open at once; more close it.</summary>
    public int MaxRequestsPerClient { get; set; } = 1024;

    /// <summary>
    /// Bytes queued unread for a client before its connection is closed, on top of the output
    /// window of each program it runs: room for answers (members, ps) and a few frames.
    /// </summary>
    public long ClientQueueBytes { get; set; } = 4L << 20;

    /// <summary>
    /// Bytes queued unread for a member before its connection is closed: the output windows of
    /// the programs streamed to it, relayed requests and membership traffic.
    /// </summary>
    public long PeerQueueBytes { get; set; } = 64L << 20;

    /// <summary>What the node allows programs run for `iridium exec`.</summary>
    public Exec.ExecLimits Exec { get; set; } = new();

    /// <summary>
    /// The limits of the node's processes (scheduler threads, --max-processes, mailboxes, message
    /// size): every program the node runs is a process of its one runtime.
    /// </summary>
    public Iridium.Vm.ProcessLimits Processes { get; set; } = new();

    /// <summary>The bound of a client's (false) or member's (true) queue: as set, and at least two frames.</summary>
    internal long QueueBytesFor(bool member) => Math.Max(member ? PeerQueueBytes : ClientQueueBytes, 2L * MaxFrameBytes);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (!AliasRules.IsValid(Alias)) throw new ArgumentException(AliasRules.Explain(Alias));
        if (BindPort is < 0 or > 65535) throw new ArgumentException($"bind port {BindPort} is not in 0-65535");
        if (PortSearch is < 0 or > 1000) throw new ArgumentException($"port search {PortSearch} is not in 0-1000");
        if (Cookie.Length == 0) throw new ArgumentException("the cluster cookie is empty");
        if (HeartbeatInterval <= TimeSpan.Zero) throw new ArgumentException("the heartbeat interval must be positive");
        if (FailureTimeout <= HeartbeatInterval) throw new ArgumentException("the failure timeout must be longer than the heartbeat interval");
        if (MaxFrameBytes < Protocol.ProtocolLimits.MinFrameBytes) throw new ArgumentException($"the frame cap must be at least {Protocol.ProtocolLimits.MinFrameBytes} bytes");
        if (DownRetention < TimeSpan.Zero) throw new ArgumentException("the down retention must not be negative");
        if (HandshakeTimeout <= TimeSpan.Zero) throw new ArgumentException("the handshake timeout must be positive");
        if (MaxPendingHandshakes < 1 || MaxPendingPerAddress < 1 || MaxClientConnections < 1 || MaxClientConnectionsPerAddress < 1 || MaxRequestsPerClient < 1 || MaxConcurrentDials < 1) throw new ArgumentException("connection caps must be at least 1");
        if (AliasGiveUp <= TimeSpan.Zero) throw new ArgumentException("the alias give-up time must be positive");
        if (ClientIdleTimeout <= TimeSpan.Zero) throw new ArgumentException("the client idle timeout must be positive");
        if (ClientQueueBytes < 1 || PeerQueueBytes < 1) throw new ArgumentException("the queue bounds must be at least 1 byte");
        if (Exec.Problem(MaxFrameBytes) is { } execProblem) throw new ArgumentException(execProblem);
        Processes.Validate();
        foreach (string seed in Seeds)
        {
            if (Iridium.Cluster.Seeds.SeedSources.Problem(seed) is { } problem) throw new ArgumentException(problem);
        }
    }
}
