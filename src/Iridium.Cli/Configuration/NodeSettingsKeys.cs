using System.Text;

namespace Iridium.Cli.Configuration;

/// <summary>
/// The keys of a node config file: the flags' long names in snake_case, each with the kind of
/// value it takes and its range. Whole numbers given as flags are checked against the same ranges
/// (<see cref="CheckFlag"/>), so a file and the command line accept exactly the same values.
/// Keys written in camelCase (<c>nodeAlias</c>), as config files did before 0.2, are read as
/// their snake_case names.
/// </summary>
internal static class NodeSettingsKeys
{
    private sealed record Key(string Name, string Expected, Func<NodeSettings, ConfigValue, NodeSettings?> Apply);

    private static readonly Key[] All =
    [
        Text("node_alias", (s, v) => s with { NodeAlias = v }),
        Text("server_bind_host", (s, v) => s with { ServerBindHost = v }),
        Whole("server_bind_port", 0, 65535, (s, v) => s with { ServerBindPort = (int)v }),
        Whole("port_search", 0, 1000, (s, v) => s with { PortSearch = (int)v }),
        Text("advertise_host", (s, v) => s with { AdvertiseHost = v }),
        new("join", "a list of HOST:PORT or dns:NAME:PORT strings", (s, v) => v is ConfigValue.List list && list.Items.All(i => i is ConfigValue.Text)
            ? s with { Join = list.Items.Select(i => ((ConfigValue.Text)i).Value).ToArray() }
            : null),
        Text("data_root_dir", (s, v) => s with { DataRootDir = v }),
        Text("cookie_file", (s, v) => s with { CookieFile = v }),
        Whole("heartbeat_ms", 1, int.MaxValue, (s, v) => s with { HeartbeatMs = (int)v }),
        Whole("failure_timeout_ms", 1, int.MaxValue, (s, v) => s with { FailureTimeoutMs = (int)v }),
        Whole("down_retention_ms", 0, int.MaxValue, (s, v) => s with { DownRetentionMs = (int)v }),
        Whole("max_frame_bytes", Iridium.Cluster.ClusterOptions.MinFrameBytes, int.MaxValue, (s, v) => s with { MaxFrameBytes = (int)v }),
        Whole("threads", 1, 4096, (s, v) => s with { Threads = (int)v }),
        Flag("verbose", (s, v) => s with { Verbose = v }),
        Flag("enable_remote_access", (s, v) => s with { EnableRemoteAccess = v }),
        Text("bind_host", (s, v) => s with { BindHost = v }),
        Whole("bind_port", 0, 65535, (s, v) => s with { BindPort = (int)v }),
        Whole("max_steps", 1, long.MaxValue, (s, v) => s with { MaxSteps = v }),
        Whole("max_heap_bytes", Defaults.MinHeapBytes, int.MaxValue, (s, v) => s with { MaxHeapBytes = (int)v }),
        Whole("max_total_heap_bytes", Defaults.MinHeapBytes, long.MaxValue, (s, v) => s with { MaxTotalHeapBytes = v }),
        Whole("max_output_bytes", 1, long.MaxValue, (s, v) => s with { MaxOutputBytes = v }),
        Whole("exec_max_running", 1, 4096, (s, v) => s with { ExecMaxRunning = (int)v }),
        Whole("exec_max_queued", 0, 1 << 16, (s, v) => s with { ExecMaxQueued = (int)v }),
        Whole("exec_max_image_bytes", 1, int.MaxValue, (s, v) => s with { ExecMaxImageBytes = (int)v }),
        Whole("exec_max_steps", 1, long.MaxValue, (s, v) => s with { ExecMaxSteps = v }),
    ];

    /// <summary>Every key, as the error for an unknown one lists them.</summary>
    public static IEnumerable<string> Names => All.Select(k => k.Name);

    /// <summary>Applies the entries of a config file; <see cref="CommandFailure"/> (config) names the file and key of the first bad one.</summary>
    public static NodeSettings Bind(IEnumerable<KeyValuePair<string, ConfigValue>> entries, string file)
    {
        var settings = new NodeSettings();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (written, value) in entries)
        {
            string name = SnakeCase(written);
            var key = All.FirstOrDefault(k => k.Name == name)
                ?? throw CommandFailure.Config($"{file}: unknown key '{written}'; the keys are {string.Join(", ", Names)}");
            if (!seen.Add(name)) throw CommandFailure.Config($"{file}: key '{name}' is set twice");
            settings = key.Apply(settings, value)
                ?? throw CommandFailure.Config($"{file}: '{written}' must be {key.Expected}, not {value.Describe()}");
        }
        return settings;
    }

    /// <summary>Checks a whole number given as <c>--FLAG</c> against the range of its key; <see cref="CommandFailure"/> (usage) otherwise.</summary>
    public static void CheckFlag(string key, long? value)
    {
        if (value is not { } number) return;
        var entry = All.Single(k => k.Name == key);
        if (entry.Apply(new NodeSettings(), new ConfigValue.Integer(number)) is null)
            throw CommandFailure.Usage($"--{key.Replace('_', '-')} must be {entry.Expected}, not {number}");
    }

    /// <summary><c>serverBindPort</c> → <c>server_bind_port</c>; snake_case stays as it is.</summary>
    public static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                if (result.Length > 0) result.Append('_');
                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }

    private static Key Text(string name, Func<NodeSettings, string, NodeSettings> set)
        => new(name, "a string", (s, v) => v is ConfigValue.Text text ? set(s, text.Value) : null);

    private static Key Flag(string name, Func<NodeSettings, bool, NodeSettings> set)
        => new(name, "true or false", (s, v) => v is ConfigValue.Boolean flag ? set(s, flag.Value) : null);

    private static Key Whole(string name, long min, long max, Func<NodeSettings, long, NodeSettings> set)
    {
        string expected = max == int.MaxValue || max == long.MaxValue ? $"a whole number of at least {min}" : $"a whole number from {min} to {max}";
        return new(name, expected, (s, v) => v is ConfigValue.Integer { Value: var n } && n >= min && n <= max ? set(s, n) : null);
    }
}
