namespace Iridium.Repl.Hosting;

/// <summary>The root command's options (runtime.md §1.1), as the REPL host needs them.</summary>
public sealed record ReplHostSettings
{
    /// <summary><c>-r</c>: also serve the REPL over TCP.</summary>
    public bool EnableRemoteAccess { get; init; }
    public string BindHost { get; init; } = "127.0.0.1";
    public int BindPort { get; init; } = Remote.RemoteServerOptions.DefaultPort;
    public string? DataRootDir { get; init; }
    public string? NodeAlias { get; init; }
    public string ServerBindHost { get; init; } = "127.0.0.1";
    public int ServerBindPort { get; init; } = 2254;
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Step budget: for remote sessions always (a default applies), for the console only when given.</summary>
    public long? MaxSteps { get; init; }
    public string? CookieFile { get; init; }
}
