using Iridium.Cluster.Security;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Configuration;

/// <summary>What `iridium node` does between parsing flags and exiting: resolve settings, run until told to stop, leave.</summary>
public static class NodeRunner
{
    /// <summary>
    /// Turns settings into options: data root, cookie (<c>--cookie-file</c>, <c>IRIDIUM_COOKIE</c>,
    /// <c>&lt;data-root&gt;/cookie</c>), alias. Throws <see cref="InvalidOperationException"/> or
    /// <see cref="ArgumentException"/> with a message for people.
    /// </summary>
    public static ClusterOptions ResolveOptions(NodeSettings settings, string workingDirectory)
    {
        string dataRoot;
        try
        {
            dataRoot = DataRoot.Resolve(settings.DataRootDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot create data root {settings.DataRootDir}: {e.Message}", e);
        }
        var cookie = ClusterCookie.Load(settings.CookieFile, dataRoot);
        string alias = NodeAlias.Resolve(settings.NodeAlias, workingDirectory);
        var options = settings.ToOptions(alias, cookie.Secret);
        options.Validate();
        return options;
    }

    /// <summary>Starts the node, waits for <paramref name="stop"/>, then leaves gracefully (peers drop it at once).</summary>
    public static async Task RunAsync(ClusterOptions options, ILoggerFactory loggerFactory, CancellationToken stop)
    {
        await using var node = new ClusterNode(options, loggerFactory);
        await node.StartAsync(stop).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Signalled: fall through to Leave.
        }
        await node.LeaveAsync().ConfigureAwait(false);
    }
}
