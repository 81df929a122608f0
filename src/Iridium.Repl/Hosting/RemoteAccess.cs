using Iridium.Cluster.Security;
using Iridium.Repl.Remote;
using Iridium.Repl.Scheduling;

namespace Iridium.Repl.Hosting;

/// <summary>
/// Builds the remote REPL server from command-line settings, for both hosts: the interactive
/// <c>iridium -r</c> and the headless <c>iridium node -r</c>. The cookie is always required here
/// (it is created in the data root when missing), so every remote session authenticates.
/// </summary>
public static class RemoteAccess
{
    /// <summary>The directory remote sessions may read programs from.</summary>
    public static string ProgramDirectory(string dataRoot) => Path.Combine(dataRoot, "programs");

    /// <summary>Creates and starts the server; throws <see cref="InvalidOperationException"/> (cookie, address) or <see cref="System.Net.Sockets.SocketException"/> (bind).</summary>
    public static RemoteReplServer Start(string bindHost, int bindPort, string dataRoot, string? cookieFile, long? maxSteps,
        VmScheduler scheduler, TextWriter? log)
    {
        var cookie = ClusterCookie.Load(cookieFile, dataRoot);
        var defaults = new RemoteServerOptions { ProgramDirectory = ProgramDirectory(dataRoot) };
        var server = new RemoteReplServer(defaults with
        {
            BindHost = bindHost,
            BindPort = bindPort,
            Cookie = cookie.Secret,
            MaxSteps = maxSteps ?? defaults.MaxSteps,
            Scheduler = scheduler,
            Log = log,
        });
        server.Start();
        return server;
    }
}
