using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iridium.Cluster.Configuration;

/// <summary>
/// The settings of `iridium node`, as read from a JSON file (<c>--config</c>); any flag given on
/// the command line overrides the file. Property names are the flags' long names in camelCase.
/// </summary>
public sealed class NodeSettings
{
    public string? NodeAlias { get; set; }
    public string? ServerBindHost { get; set; }
    public int? ServerBindPort { get; set; }
    public int? PortSearch { get; set; }
    public string? AdvertiseHost { get; set; }
    public List<string>? Join { get; set; }
    public string? DataRootDir { get; set; }
    public string? CookieFile { get; set; }
    public int? HeartbeatMs { get; set; }
    public int? FailureTimeoutMs { get; set; }
    public int? MaxFrameBytes { get; set; }
    public int? Threads { get; set; }

    /// <summary>Reads a settings file; throws <see cref="InvalidOperationException"/> with the reason when it cannot.</summary>
    public static NodeSettings Load(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return JsonSerializer.Deserialize(file, NodeSettingsJsonContext.Default.NodeSettings) ?? new NodeSettings();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidOperationException($"cannot read config file {path}: {e.Message}", e);
        }
    }

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
        MaxFrameBytes = overrides.MaxFrameBytes ?? MaxFrameBytes,
        Threads = overrides.Threads ?? Threads,
    };

    /// <summary>Cluster options with defaults filled in; the alias and cookie are resolved by the caller.</summary>
    public ClusterOptions ToOptions(string alias, byte[] cookie)
    {
        var options = new ClusterOptions { Alias = alias, Cookie = cookie };
        if (ServerBindHost is not null) options.BindHost = ServerBindHost;
        if (ServerBindPort is { } port) options.BindPort = port;
        if (PortSearch is { } search) options.PortSearch = search;
        options.AdvertiseHost = AdvertiseHost;
        if (Join is not null) options.Seeds.AddRange(Join);
        if (HeartbeatMs is { } heartbeat) options.HeartbeatInterval = TimeSpan.FromMilliseconds(heartbeat);
        if (FailureTimeoutMs is { } timeout) options.FailureTimeout = TimeSpan.FromMilliseconds(timeout);
        else if (HeartbeatMs is { } hb) options.FailureTimeout = TimeSpan.FromMilliseconds(Math.Max(3000, hb * 3));
        if (MaxFrameBytes is { } cap) options.MaxFrameBytes = cap;
        return options;
    }
}

/// <summary>Source-generated JSON metadata: no reflection, so it works in the Native AOT binary.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(NodeSettings))]
internal sealed partial class NodeSettingsJsonContext : JsonSerializerContext
{
}
