using System.Net.Sockets;
using Iridium.Repl.Remote;
using Iridium.Repl.Scheduling;

namespace Iridium.Cli.Hosting;

/// <summary>What each remote session may use: steps per run, heap per VM, program output per line (defaults in <see cref="Defaults"/>).</summary>
internal sealed record RemoteSessionLimits(long MaxSteps, int MaxHeapBytes, long MaxOutputBytes);

/// <summary>How the remote REPL throttles its log lines per address (`iridium node` settings); null: the server's defaults.</summary>
internal sealed record RemoteLogThrottle(int? LinesPerAddress, TimeSpan? Period);

/// <summary>
/// Starts the remote REPL beside the console REPL (<c>iridium -r</c>), on its own (<c>iridium -r</c>
/// with no terminal) or beside a headless node (<c>iridium node -r</c>): always with the process's
/// cookie, so every session authenticates, and with the data root's <c>programs/</c> as the only
/// place sessions may read files from. Session VMs count in the scheduler's heap budget, the process's one.
/// </summary>
internal static class RemoteReplHosting
{
    /// <param name="log">Where the server's log lines go (see <see cref="RemoteServerOptions.Log"/>).</param>
    /// <param name="throttle">How many log lines per address and period; null for the server's defaults.</param>
    public static RemoteReplServer Start(string bindHost, int bindPort, RemoteSessionLimits limits, ProcessContext process, VmScheduler scheduler, TextWriter log, RemoteLogThrottle? throttle = null)
    {
        var server = new RemoteReplServer(new RemoteServerOptions
        {
            BindHost = bindHost,
            BindPort = bindPort,
            MaxSteps = limits.MaxSteps,
            MaxHeapBytes = limits.MaxHeapBytes,
            MaxOutputBytes = limits.MaxOutputBytes,
            HeapBudget = scheduler.HeapBudget,
            Cookie = process.Cookie,
            ProgramDirectory = process.ProgramDirectory,
            Scheduler = scheduler,
            Version = VersionInfo.Version,
            Log = log,
            LogLinesPerAddress = throttle?.LinesPerAddress ?? RemoteServerOptions.DefaultLogLinesPerAddress,
            LogPeriod = throttle?.Period ?? RemoteServerOptions.DefaultLogPeriod,
        });
        try
        {
            server.Start();
            return server;
        }
        catch (SocketException e)
        {
            throw ListenFailure.For("remote REPL", bindHost, bindPort, e, "choose another --bind-port");
        }
        catch (InvalidOperationException e)
        {
            throw new CommandFailure(ExitCodes.Unavailable, $"cannot start the remote REPL: {e.Message}");
        }
    }
}
