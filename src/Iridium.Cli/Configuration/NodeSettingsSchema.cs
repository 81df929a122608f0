using Iridium.Cluster;

namespace Iridium.Cli.Configuration;

/// <summary>
/// Every setting of `iridium node`, once: the flag parser (<see cref="CommandLine.NodeOptionParser"/>),
/// the config-file keys of both formats (<see cref="ConfigFile"/>), the merge of a file with the
/// flags (<see cref="NodeSettings.With"/>), the range checks and `iridium node --help` all come
/// from <see cref="All"/>. Adding a setting is one entry here, plus the code that uses its value.
/// Defaults are applied where the value is used (<see cref="NodeSettings"/>, from <see cref="Defaults"/>):
/// an unset value must stay unset through the merge.
/// </summary>
internal static class NodeSettingsSchema
{
    /// <summary>Constants because every command also takes these two as global options, which the generated parser declares from literal text.</summary>
    public const string DataRootDirHelp = "Where the cookie, node id, REPL history and remote sessions' programs live. Default: /var/lib/iridium when writable, else ~/.local/share/iridium.";
    public const string CookieFileHelp = "The file holding the cluster cookie. Default: $IRIDIUM_COOKIE, else <data root>/cookie (created).";

    public static readonly TextSetting NodeAlias = new("node_alias",
        "Node name, unique in the cluster. Default: the contents of .node_id in the data root, else a new UUID written there.",
        isValid: alias => alias.Trim().Length > 0, expected: "a non-empty string");
    public static readonly TextSetting ServerBindHost = Host("server_bind_host", "Cluster listener address (default 127.0.0.1; 0.0.0.0 for all interfaces).", "-H");
    public static readonly WholeSetting<int> ServerBindPort = new("server_bind_port", 0, 65535, "Cluster listener port, also the advertised port (default 2254).", "-P");
    public static readonly WholeSetting<int> PortSearch = new("port_search", 0, 1000, "Try the next N ports when the bind port is taken (default 0).");
    public static readonly TextSetting AdvertiseHost = Host("advertise_host", "Address peers should use to reach this node (containers, NAT).");
    public static readonly SeedListSetting Join = new("join",
        "HOST:PORT of a member to join through, or dns:NAME:PORT for every address of NAME (looked up on each try); repeat it or separate with commas. Retried with backoff until one answers.",
        ClusterOptions.SeedProblem);
    public static readonly TextSetting Config = new("config",
        "A TOML (.toml) or JSON (.json) file of these settings, keys in snake_case (server_bind_port); flags override it.", sources: SettingSource.Flag);
    public static readonly TextSetting DataRootDir = new("data_root_dir", DataRootDirHelp);
    public static readonly TextSetting CookieFile = new("cookie_file", CookieFileHelp);
    public static readonly WholeSetting<int> HeartbeatMs = new("heartbeat_ms", 1, int.MaxValue, "Heartbeat interval in milliseconds (default 1000).");
    public static readonly WholeSetting<int> FailureTimeoutMs = new("failure_timeout_ms", 1, int.MaxValue,
        "Mark a silent peer down after this many milliseconds (default 3000, or 3 heartbeats if longer).");
    public static readonly WholeSetting<int> DownRetentionMs = new("down_retention_ms", 0, int.MaxValue,
        "Keep listing a member that went down (status down, with why and since when) for this many milliseconds (default 60000).");
    public static readonly WholeSetting<int> MaxFrameBytes = new("max_frame_bytes", ClusterOptions.MinFrameBytes, int.MaxValue,
        "Largest frame accepted from an authenticated peer (default 1048576).", sources: SettingSource.ConfigFile);
    public static readonly WholeSetting<int> Threads = new("threads", 1, 4096, "Spawned VMs that run at once for remote sessions (default: the number of processors).", "-t");
    public static readonly SwitchSetting Verbose = new("verbose", "Log debug detail (dial failures, connection races).", "-v");
    public static readonly SwitchSetting AllowPlaintextPeers = new("allow_plaintext_peers",
        "Admit nodes of an older iridium (protocol 1) without encryption, for a rolling upgrade; each such connection is logged as a warning. Default: refused.");
    public static readonly SwitchSetting EnableRemoteAccess = new("enable_remote_access",
        "Also serve the remote REPL (cookie authentication); sessions get their own VMs.", "-r");
    public static readonly TextSetting BindHost = Host("bind_host", "Address of the remote REPL (default 127.0.0.1).");
    public static readonly WholeSetting<int> BindPort = new("bind_port", 0, 65535, "Port of the remote REPL (default 2244).", "-p");
    public static readonly WholeSetting<long> MaxSteps = new("max_steps", 1, long.MaxValue, "Step budget of each run a remote session starts (default 10000000).");
    public static readonly WholeSetting<int> MaxHeapBytes = new("max_heap_bytes", Defaults.MinHeapBytes, int.MaxValue,
        "Heap cap of each remote session's VM and of the VMs it spawns, at least 16777216 (default 16 MiB).");
    public static readonly WholeSetting<long> MaxTotalHeapBytes = new("max_total_heap_bytes", Defaults.MinHeapBytes, long.MaxValue,
        "Bytes all the VM heaps of this node may hold together; an ALOC past it faults HEAP (default 1 GiB, or half the memory if less).");
    public static readonly WholeSetting<long> MaxOutputBytes = new("max_output_bytes", 1, long.MaxValue,
        "Program output one line of a remote session may print; the rest is dropped with a message (default 1048576).");
    public static readonly WholeSetting<int> Schedulers = new("schedulers", 1, 4096,
        "Threads that run the processes: every program exec runs and every process they SPAWN (default: one per core).");
    public static readonly WholeSetting<int> MaxProcesses = new("max_processes", 1, int.MaxValue,
        "Living processes at most; past it a SPAWN answers eq = false and exec is refused (default 262144).");
    public static readonly WholeSetting<int> MailboxMessages = new("mailbox_messages", 1, int.MaxValue,
        "Messages one mailbox holds at most; a SEND to a full one answers eq = false (default 4096).");
    public static readonly WholeSetting<int> MailboxBytes = new("mailbox_bytes", 0, int.MaxValue, "Payload bytes one mailbox holds at most (default 4194304).");
    public static readonly WholeSetting<int> MaxMessageBytes = new("max_message_bytes", 0, int.MaxValue,
        "Largest message a SEND may carry; a larger one faults VALUE (default 65536).");
    public static readonly WholeSetting<int> ExecMaxImageBytes = new("exec_max_image_bytes", 1, int.MaxValue,
        "Largest program image exec may send here (default 524288, within the frame cap).");
    public static readonly WholeSetting<long> ExecMaxSteps = new("exec_max_steps", 1, long.MaxValue,
        "Step cap of every program exec runs here, whatever the client asks (default: none).");
    public static readonly WholeSetting<int> MaxClientConnectionsPerAddress = new("max_client_connections_per_address", 1, 1 << 16,
        "Client connections (members, exec, ps...) served at once from one address; more are told busy (default 32, half the 64 in all).");
    public static readonly WholeSetting<int> ClientIdleTimeoutMs = new("client_idle_timeout_ms", 1, int.MaxValue,
        "Close a client connection that sent nothing for this many milliseconds and runs no program (default 60000).");
    public static readonly WholeSetting<int> MaxRequestsPerClient = new("max_requests_per_client", 1, 1 << 20,
        "Requests (exec, ps, kill) one client connection may have open at once; more close it (default 1024).");
    public static readonly WholeSetting<long> ClientQueueBytes = new("client_queue_bytes", 1, long.MaxValue,
        "Bytes queued unread for a client before its connection is closed, beyond its programs' output windows (default 4194304; at least two frames).");
    public static readonly WholeSetting<long> PeerQueueBytes = new("peer_queue_bytes", 1, long.MaxValue,
        "Bytes queued unread for a member before its connection is closed (default 67108864; at least two frames).");
    public static readonly WholeSetting<int> RemoteLogLinesPerAddress = new("remote_log_lines_per_address", 0, int.MaxValue,
        "Remote REPL log lines about one address per log period; the rest are summed in one line (default 5).");
    public static readonly WholeSetting<int> RemoteLogPeriodMs = new("remote_log_period_ms", 1, int.MaxValue,
        "The remote REPL's log period in milliseconds: how often it sums up what it did not log line by line (default 10000).");

    public static readonly TextSetting StoreVoters = new("store_voters",
        "Aliases of the replicated store's voters, comma-separated, the same list on every node: a node it names is a voter, any other reaches the store through the voters. Default: no store.",
        isValid: StoreVoterList.IsValid, expected: StoreVoterList.Expected);
    public static readonly TextSetting StoreDir = new("store_dir", "Where a voter keeps the store's log and snapshots. Default: <data root>/store/<alias> (voters on one host may share a data root).");
    public static readonly WholeSetting<long> StoreSnapshotEvery = new("store_snapshot_every", 2, long.MaxValue,
        "Log entries a voter applies between two snapshots of the store; each snapshot lets the log before it go (default 10000).");

    /// <summary>Every setting, in the order of the help and of the key list an unknown key's error gives.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        NodeAlias, ServerBindHost, ServerBindPort, PortSearch, AdvertiseHost, Join, Config, DataRootDir, CookieFile,
        HeartbeatMs, FailureTimeoutMs, DownRetentionMs, MaxFrameBytes, Threads, Verbose, AllowPlaintextPeers, EnableRemoteAccess, BindHost, BindPort,
        MaxSteps, MaxHeapBytes, MaxTotalHeapBytes, MaxOutputBytes, Schedulers, MaxProcesses, MailboxMessages, MailboxBytes, MaxMessageBytes,
        ExecMaxImageBytes, ExecMaxSteps,
        MaxClientConnectionsPerAddress, ClientIdleTimeoutMs, MaxRequestsPerClient, ClientQueueBytes, PeerQueueBytes,
        RemoteLogLinesPerAddress, RemoteLogPeriodMs,
        StoreVoters, StoreDir, StoreSnapshotEvery,
    ];

    /// <summary>Every config key, as the error for an unknown one lists them.</summary>
    public static IEnumerable<string> Keys => All.Where(s => s.HasConfigKey).Select(s => s.Key);

    /// <summary>The setting a config key names (camelCase keys of files older than 0.2 are read as snake_case), or null.</summary>
    public static Setting? ByKey(string key) => All.FirstOrDefault(s => s.HasConfigKey && s.Key == key);

    /// <summary>The setting a flag names, long or short; long flags ignore case, as the other commands' parser does.</summary>
    public static Setting? ByFlag(string flag)
        => All.FirstOrDefault(s => s.HasFlag && (string.Equals(s.Flag, flag, StringComparison.OrdinalIgnoreCase) || s.ShortFlag == flag));

    private static TextSetting Host(string key, string help, string? shortFlag = null)
        => new(key, help, shortFlag, isValid: HostName.IsValid, expected: HostName.Expected);
}
