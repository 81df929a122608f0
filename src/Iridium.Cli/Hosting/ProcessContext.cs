namespace Iridium.Cli.Hosting;

/// <summary>The flags (or config keys) that say where this process keeps its state and who it is.</summary>
internal sealed record ProcessSettings(string? DataRootDir, string? CookieFile, string? NodeAlias);

/// <summary>
/// Where this process lives and who it is, resolved from <see cref="ProcessSettings"/> at most once
/// each: the data root, the cluster cookie and the node alias. Every command that needs one of
/// them asks this object; nothing else loads a cookie or creates a data root. Each value is
/// resolved when first asked for, so `iridium run` creates nothing, and a REPL that never touches
/// the cluster never reads a cookie or writes a node id. A failure is a
/// <see cref="CommandFailure"/> (config), and is the same failure when asked again.
/// </summary>
internal sealed class ProcessContext
{
    private readonly Lazy<string> _dataRoot;
    private readonly Lazy<byte[]> _cookie;
    private readonly Lazy<string> _alias;

    public ProcessContext(ProcessSettings settings)
    {
        Settings = settings;
        _dataRoot = new(() => Hosting.DataRoot.Resolve(settings.DataRootDir));
        _cookie = new(() => ClusterCookie.Load(settings.CookieFile, () => DataRoot).Secret);
        _alias = new(() => NodeAlias.Resolve(settings.NodeAlias, TryGetDataRoot(out _)));
    }

    public ProcessSettings Settings { get; }

    /// <summary>The data root, created if needed.</summary>
    public string DataRoot => _dataRoot.Value;

    /// <summary>The cluster cookie: <c>--cookie-file</c>, else <c>$IRIDIUM_COOKIE</c>, else <c>&lt;data-root&gt;/cookie</c> (created).</summary>
    public byte[] Cookie => _cookie.Value;

    /// <summary>The node alias: <c>--node-alias</c>, else <c>&lt;data-root&gt;/.node_id</c> (created).</summary>
    public string Alias => _alias.Value;

    /// <summary>The alias when one was given, without creating anything (the REPL's VMs carry it from the start).</summary>
    public string? GivenAlias => string.IsNullOrWhiteSpace(Settings.NodeAlias) ? null : Settings.NodeAlias.Trim();

    /// <summary>The data root, or null with the reason when it cannot be created (the REPL carries on without history).</summary>
    public string? TryGetDataRoot(out string? problem)
    {
        try
        {
            problem = null;
            return DataRoot;
        }
        catch (CommandFailure e)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Where remote REPL sessions may read programs from.</summary>
    public string ProgramDirectory => Path.Combine(DataRoot, "programs");

    /// <summary>The console REPL's history file.</summary>
    public static string HistoryPath(string dataRoot) => Path.Combine(dataRoot, "history");

    /// <summary>
    /// The history of `iridium remote` sessions with one server, <c>history-remote-HOST-PORT</c>: what
    /// is typed to one server is recalled there, not at another's prompt. Characters of the host that
    /// do not belong in a file name (an IPv6 address's colons) become '_'.
    /// </summary>
    public static string RemoteHistoryPath(string dataRoot, string host, int port)
    {
        var name = host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray();
        return Path.Combine(dataRoot, $"history-remote-{new string(name)}-{port}");
    }
}
