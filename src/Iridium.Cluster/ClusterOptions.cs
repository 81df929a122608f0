namespace Iridium.Cluster;

/// <summary>
/// Everything a <see cref="ClusterNode"/> needs. The settings a user chooses are required: their
/// defaults live with the rest of the process's defaults in the CLI (Iridium.Cli/Defaults.cs).
/// </summary>
public sealed class ClusterOptions
{
    /// <summary>Smallest frame cap <see cref="MaxFrameBytes"/> may be: any handshake frame must fit.</summary>
    public const int MinFrameBytes = Protocol.ProtocolLimits.MinFrameBytes;

    /// <summary>Unique within a cluster; a second live node with the same alias is refused.</summary>
    public string Alias { get; set; } = "";

    /// <summary>Identifies this run of the node; a restarted node is a new member.</summary>
    public Guid NodeId { get; set; } = Guid.NewGuid();

    /// <summary>Address to listen on: an IP literal or a host name (resolved).</summary>
    public required string BindHost { get; set; }

    /// <summary>Port to listen on; 0 lets the system pick one (tests).</summary>
    public required int BindPort { get; set; }

    /// <summary>How many ports after <see cref="BindPort"/> to try when it is taken.</summary>
    public int PortSearch { get; set; }

    /// <summary>The host peers should use to reach this node (containers, NAT); by default the bind host, or the address peers see when binding 0.0.0.0.</summary>
    public string? AdvertiseHost { get; set; }

    /// <summary>HOST:PORT of members to join through at start, and again whenever every peer is lost.</summary>
    public List<string> Seeds { get; set; } = [];

    /// <summary>The cluster cookie (shared secret); never sent.</summary>
    public byte[] Cookie { get; set; } = [];

    public required TimeSpan HeartbeatInterval { get; set; }

    /// <summary>A peer not heard from for this long is marked down.</summary>
    public required TimeSpan FailureTimeout { get; set; }

    /// <summary>Largest frame accepted after the handshake; a larger length prefix closes the connection.</summary>
    public required int MaxFrameBytes { get; set; }

    /// <summary>A connection whose handshake has not finished by then is closed.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Alias)) throw new ArgumentException("the node alias is empty");
        if (System.Text.Encoding.UTF8.GetByteCount(Alias) > Protocol.ProtocolLimits.MaxAliasBytes) throw new ArgumentException($"the node alias is longer than {Protocol.ProtocolLimits.MaxAliasBytes} bytes");
        if (BindPort is < 0 or > 65535) throw new ArgumentException($"bind port {BindPort} is not in 0-65535");
        if (PortSearch is < 0 or > 1000) throw new ArgumentException($"port search {PortSearch} is not in 0-1000");
        if (Cookie.Length == 0) throw new ArgumentException("the cluster cookie is empty");
        if (HeartbeatInterval <= TimeSpan.Zero) throw new ArgumentException("the heartbeat interval must be positive");
        if (FailureTimeout <= HeartbeatInterval) throw new ArgumentException("the failure timeout must be longer than the heartbeat interval");
        if (MaxFrameBytes < Protocol.ProtocolLimits.MinFrameBytes) throw new ArgumentException($"the frame cap must be at least {Protocol.ProtocolLimits.MinFrameBytes} bytes");
        foreach (string seed in Seeds)
        {
            if (!HostPort.TryParse(seed, out _, out _)) throw new ArgumentException($"seed '{seed}' is not HOST:PORT");
        }
    }
}
