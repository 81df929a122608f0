using Iridium.Cli.Hosting;
using Iridium.Cluster;
using S = Iridium.Cli.Configuration.NodeSettingsSchema;

namespace Iridium.Cli.Configuration;

/// <summary>
/// The settings of `iridium node` given so far, from flags or a config file (<c>--config</c>):
/// values of <see cref="NodeSettingsSchema"/>'s settings, immutable. A setting not given reads
/// as null; the defaults are applied last, from <see cref="Defaults"/>, in the members below that
/// turn the settings into what the libraries take.
/// </summary>
internal sealed class NodeSettings
{
    private readonly Dictionary<Setting, object> _values;

    private NodeSettings(Dictionary<Setting, object> values) => _values = values;

    public static NodeSettings Empty { get; } = new([]);

    public T? Get<T>(ValueSetting<T> setting) where T : struct => _values.TryGetValue(setting, out object? value) ? (T)value : null;

    public T? Get<T>(ReferenceSetting<T> setting) where T : class => _values.TryGetValue(setting, out object? value) ? (T)value : null;

    /// <summary>The value as stored, untyped, or null (to combine a flag given again with the value before).</summary>
    public object? Raw(Setting setting) => _values.GetValueOrDefault(setting);

    /// <summary>A copy with <paramref name="setting"/> set to <paramref name="value"/> (null leaves it as it is).</summary>
    public NodeSettings Set(Setting setting, object? value)
    {
        if (value is null) return this;
        var values = new Dictionary<Setting, object>(_values) { [setting] = value };
        return new NodeSettings(values);
    }

    /// <summary>Values set in <paramref name="overrides"/> (the flags) replace this object's (the file's); lists replace whole.</summary>
    public NodeSettings With(NodeSettings overrides)
    {
        var values = new Dictionary<Setting, object>(_values);
        foreach (var (setting, value) in overrides._values) values[setting] = value;
        return new NodeSettings(values);
    }

    public ProcessSettings Process => new(Get(S.DataRootDir), Get(S.CookieFile), Get(S.NodeAlias));

    /// <summary>The limits of remote REPL sessions, with the defaults filled in.</summary>
    public RemoteSessionLimits RemoteLimits
        => new(Get(S.MaxSteps) ?? Defaults.RemoteMaxSteps, Get(S.MaxHeapBytes) ?? Defaults.RemoteMaxHeapBytes, Get(S.MaxOutputBytes) ?? Defaults.RemoteMaxOutputBytes);

    /// <summary>How the remote REPL throttles its log lines (a part not set: the server's default).</summary>
    public RemoteLogThrottle RemoteLog
    {
        get
        {
            int? periodMs = Get(S.RemoteLogPeriodMs);
            return new(Get(S.RemoteLogLinesPerAddress), periodMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null);
        }
    }

    /// <summary>
    /// What `iridium exec` may do on this node, with the defaults filled in. Its programs share the
    /// remote sessions' heap cap and the node's heap budget (<paramref name="heapBudget"/>).
    /// </summary>
    public Iridium.Cluster.Exec.ExecLimits ExecLimits(Iridium.Vm.HeapBudget? heapBudget) => new()
    {
        MaxImageBytes = Get(S.ExecMaxImageBytes) ?? Math.Min(Defaults.ExecMaxImageBytes, (Get(S.MaxFrameBytes) ?? Defaults.MaxFrameBytes) / 2),
        MaxSteps = Get(S.ExecMaxSteps),
        MaxHeapBytes = Get(S.MaxHeapBytes) ?? Defaults.RemoteMaxHeapBytes,
        HeapBudget = heapBudget,
    };

    /// <summary>The limits of the node's processes, with the defaults filled in (`iridium run` takes the same flags).</summary>
    public Iridium.Vm.ProcessLimits ProcessLimits(long? maxSteps = null) => new()
    {
        Schedulers = Get(S.Schedulers) ?? Environment.ProcessorCount,
        MaxProcesses = Get(S.MaxProcesses) ?? Iridium.Vm.ProcessLimits.DefaultMaxProcesses,
        MailboxMessages = Get(S.MailboxMessages) ?? Iridium.Vm.ProcessLimits.DefaultMailboxMessages,
        MailboxBytes = Get(S.MailboxBytes) ?? Iridium.Vm.ProcessLimits.DefaultMailboxBytes,
        MaxMessageBytes = Get(S.MaxMessageBytes) ?? Iridium.Vm.ProcessLimits.DefaultMaxMessageBytes,
        MaxSteps = maxSteps,
    };

    /// <summary>Cluster options with the defaults filled in; the alias and cookie come from the process context.</summary>
    public ClusterOptions ToClusterOptions(string alias, byte[] cookie)
    {
        int? heartbeatMs = Get(S.HeartbeatMs);
        int heartbeat = heartbeatMs ?? Defaults.HeartbeatMs;
        int failureTimeout = Get(S.FailureTimeoutMs) ?? (heartbeatMs is null ? Defaults.FailureTimeoutMs : Math.Max(Defaults.FailureTimeoutMs, 3 * heartbeat));
        var options = new ClusterOptions
        {
            Alias = alias,
            Cookie = cookie,
            BindHost = Get(S.ServerBindHost) ?? Defaults.BindHost,
            BindPort = Get(S.ServerBindPort) ?? Defaults.ClusterPort,
            PortSearch = Get(S.PortSearch) ?? Defaults.PortSearch,
            AdvertiseHost = Get(S.AdvertiseHost),
            HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeat),
            FailureTimeout = TimeSpan.FromMilliseconds(failureTimeout),
            DownRetention = TimeSpan.FromMilliseconds(Get(S.DownRetentionMs) ?? Defaults.DownRetentionMs),
            MaxFrameBytes = Get(S.MaxFrameBytes) ?? Defaults.MaxFrameBytes,
            Processes = ProcessLimits(),
        };
        if (Get(S.Join) is { } seeds) options.Seeds.AddRange(seeds);
        // The hardening limits: the library's defaults unless set (ClusterOptions says why each is what it is).
        if (Get(S.MaxClientConnectionsPerAddress) is { } perAddress) options.MaxClientConnectionsPerAddress = perAddress;
        if (Get(S.ClientIdleTimeoutMs) is { } idleMs) options.ClientIdleTimeout = TimeSpan.FromMilliseconds(idleMs);
        if (Get(S.MaxRequestsPerClient) is { } requests) options.MaxRequestsPerClient = requests;
        if (Get(S.ClientQueueBytes) is { } clientQueue) options.ClientQueueBytes = clientQueue;
        if (Get(S.PeerQueueBytes) is { } peerQueue) options.PeerQueueBytes = peerQueue;
        return options;
    }
}
