using Iridium.Cli.Hosting;
using Iridium.Cluster;

namespace Iridium.Cli.Configuration;

/// <summary>
/// The settings of `iridium node`, from flags and from a config file (<c>--config</c>); a flag
/// given on the command line overrides the file. Null means "not set": the defaults are applied
/// last, from <see cref="Defaults"/>. The config keys are the flags' long names in snake_case
/// (<see cref="NodeSettingsKeys"/>).
/// </summary>
internal sealed record NodeSettings
{
    public string? NodeAlias { get; init; }
    public string? ServerBindHost { get; init; }
    public int? ServerBindPort { get; init; }
    public int? PortSearch { get; init; }
    public string? AdvertiseHost { get; init; }
    public IReadOnlyList<string>? Join { get; init; }
    public string? DataRootDir { get; init; }
    public string? CookieFile { get; init; }
    public int? HeartbeatMs { get; init; }
    public int? FailureTimeoutMs { get; init; }
    public int? DownRetentionMs { get; init; }
    public int? MaxFrameBytes { get; init; }
    public int? Threads { get; init; }
    public bool? Verbose { get; init; }
    public bool? EnableRemoteAccess { get; init; }
    public string? BindHost { get; init; }
    public int? BindPort { get; init; }
    public long? MaxSteps { get; init; }
    public int? MaxHeapBytes { get; init; }
    public long? MaxTotalHeapBytes { get; init; }
    public long? MaxOutputBytes { get; init; }
    public int? ExecMaxRunning { get; init; }
    public int? ExecMaxQueued { get; init; }
    public int? ExecMaxImageBytes { get; init; }
    public long? ExecMaxSteps { get; init; }

    /// <summary>Values set in <paramref name="overrides"/> replace this object's; lists replace whole.</summary>
    public NodeSettings With(NodeSettings overrides) => new()
    {
        NodeAlias = overrides.NodeAlias ?? NodeAlias,
        ServerBindHost = overrides.ServerBindHost ?? ServerBindHost,
        ServerBindPort = overrides.ServerBindPort ?? ServerBindPort,
        PortSearch = overrides.PortSearch ?? PortSearch,
        AdvertiseHost = overrides.AdvertiseHost ?? AdvertiseHost,
        Join = overrides.Join is { Count: > 0 } ? overrides.Join : Join,
        DataRootDir = overrides.DataRootDir ?? DataRootDir,
        CookieFile = overrides.CookieFile ?? CookieFile,
        HeartbeatMs = overrides.HeartbeatMs ?? HeartbeatMs,
        FailureTimeoutMs = overrides.FailureTimeoutMs ?? FailureTimeoutMs,
        DownRetentionMs = overrides.DownRetentionMs ?? DownRetentionMs,
        MaxFrameBytes = overrides.MaxFrameBytes ?? MaxFrameBytes,
        Threads = overrides.Threads ?? Threads,
        Verbose = overrides.Verbose ?? Verbose,
        EnableRemoteAccess = overrides.EnableRemoteAccess ?? EnableRemoteAccess,
        BindHost = overrides.BindHost ?? BindHost,
        BindPort = overrides.BindPort ?? BindPort,
        MaxSteps = overrides.MaxSteps ?? MaxSteps,
        MaxHeapBytes = overrides.MaxHeapBytes ?? MaxHeapBytes,
        MaxTotalHeapBytes = overrides.MaxTotalHeapBytes ?? MaxTotalHeapBytes,
        MaxOutputBytes = overrides.MaxOutputBytes ?? MaxOutputBytes,
        ExecMaxRunning = overrides.ExecMaxRunning ?? ExecMaxRunning,
        ExecMaxQueued = overrides.ExecMaxQueued ?? ExecMaxQueued,
        ExecMaxImageBytes = overrides.ExecMaxImageBytes ?? ExecMaxImageBytes,
        ExecMaxSteps = overrides.ExecMaxSteps ?? ExecMaxSteps,
    };

    public ProcessSettings Process => new(DataRootDir, CookieFile, NodeAlias);

    /// <summary>The limits of remote REPL sessions, with the defaults filled in.</summary>
    public RemoteSessionLimits RemoteLimits => new(MaxSteps ?? Defaults.RemoteMaxSteps, MaxHeapBytes ?? Defaults.RemoteMaxHeapBytes, MaxOutputBytes ?? Defaults.RemoteMaxOutputBytes);

    /// <summary>
    /// What `iridium exec` may do on this node, with the defaults filled in. Its programs share the
    /// remote sessions' heap cap and the node's heap budget (<paramref name="heapBudget"/>).
    /// </summary>
    public Iridium.Cluster.Exec.ExecLimits ExecLimits(Iridium.Vm.HeapBudget? heapBudget) => new()
    {
        MaxRunning = ExecMaxRunning ?? Defaults.ExecMaxRunning,
        MaxQueued = ExecMaxQueued ?? Defaults.ExecMaxQueued,
        MaxImageBytes = ExecMaxImageBytes ?? Math.Min(Defaults.ExecMaxImageBytes, (MaxFrameBytes ?? Defaults.MaxFrameBytes) / 2),
        MaxSteps = ExecMaxSteps,
        MaxHeapBytes = MaxHeapBytes ?? Defaults.RemoteMaxHeapBytes,
        HeapBudget = heapBudget,
    };

    /// <summary>Cluster options with the defaults filled in; the alias and cookie come from the process context.</summary>
    public ClusterOptions ToClusterOptions(string alias, byte[] cookie)
    {
        int heartbeat = HeartbeatMs ?? Defaults.HeartbeatMs;
        int failureTimeout = FailureTimeoutMs ?? (HeartbeatMs is null ? Defaults.FailureTimeoutMs : Math.Max(Defaults.FailureTimeoutMs, 3 * heartbeat));
        var options = new ClusterOptions
        {
            Alias = alias,
            Cookie = cookie,
            BindHost = ServerBindHost ?? Defaults.BindHost,
            BindPort = ServerBindPort ?? Defaults.ClusterPort,
            PortSearch = PortSearch ?? Defaults.PortSearch,
            AdvertiseHost = AdvertiseHost,
            HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeat),
            FailureTimeout = TimeSpan.FromMilliseconds(failureTimeout),
            DownRetention = TimeSpan.FromMilliseconds(DownRetentionMs ?? Defaults.DownRetentionMs),
            MaxFrameBytes = MaxFrameBytes ?? Defaults.MaxFrameBytes,
        };
        if (Join is not null) options.Seeds.AddRange(Join);
        return options;
    }
}
