using Iridium.Vm;

namespace Iridium.Repl.Remote;

/// <summary>
/// Settings of the remote REPL server (docs/reference/runtime.md, with its limits). The ones a user
/// chooses (address, port, step budget) are required; their defaults live in the CLI's Defaults.cs.
/// </summary>
public sealed record RemoteServerOptions
{
    /// <summary>Address or host name to listen on (<c>--bind-host</c>).</summary>
    public required string BindHost { get; init; }

    /// <summary>Port (<c>--bind-port</c>); 0 picks a free one (tests), see <see cref="RemoteReplServer.Port"/>.</summary>
    public required int BindPort { get; init; }

    /// <summary>The cluster cookie: the pre-shared key of every session's Noise handshake (<see cref="RemoteHandshake"/>).</summary>
    public required byte[] Cookie { get; init; }

    /// <summary>Where remote <c>!load_file</c>/<c>!spawn</c> read files: <c>&lt;data-root&gt;/programs</c>.</summary>
    public required string ProgramDirectory { get; init; }

    /// <summary>
    /// The host's processes (a node's, or this program's, shared with the local console): every
    /// session's VM is one, and so is every VM a session spawns; the runtime's limits bound them all.
    /// </summary>
    public ProcessRuntime Processes { get; init; } = new();

    /// <summary>Step budget of every run a remote session starts (<c>--max-steps</c>).</summary>
    public required long MaxSteps { get; init; }

    /// <summary>Longest accepted input line in bytes; a longer one closes the session.</summary>
    public int MaxLineBytes { get; init; } = 4096;

    /// <summary>Authenticated sessions served at once; a client that logs in beyond it is told so and closed.</summary>
    public int MaxSessions { get; init; } = 16;

    /// <summary>
    /// Connections that have not logged in yet, held at once, apart from the sessions: a newer one
    /// pushes out the oldest, so idle strangers never make a correct login fail.
    /// </summary>
    public int MaxPendingLogins { get; init; } = 64;

    /// <summary>Connections that have not logged in yet, held at once from one address.</summary>
    public int MaxPendingLoginsPerAddress { get; init; } = 16;

    /// <summary>Heap cap of each session's VM and of the VMs it spawns (the CLI's default for remote sessions is smaller).</summary>
    public int MaxHeapBytes { get; init; } = Machine.DefaultHeapCap;

    /// <summary>The budget all the VM heaps of the process share (sessions, spawns); null for none.</summary>
    public HeapBudget? HeapBudget { get; init; }

    /// <summary>Most program output one line of a session may print; null for no cap.</summary>
    public long? MaxOutputBytes { get; init; }

    /// <summary>A session with no input for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Time a client has to complete its login after the greeting (strangers are bounded by <see cref="MaxPendingLogins"/>).</summary>
    public TimeSpan AuthTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A client that stops reading our output for this long is dropped (keeps a thread from blocking forever).</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The version the banner shows (<c>iridium 0.2.0</c>); null to show none.</summary>
    public string? Version { get; init; }

    /// <summary>Log lines about one address written one by one per <see cref="LogPeriod"/>; the rest are summed in one line.</summary>
    public int LogLinesPerAddress { get; init; } = DefaultLogLinesPerAddress;

    public const int DefaultLogLinesPerAddress = 5;

    public static readonly TimeSpan DefaultLogPeriod = TimeSpan.FromSeconds(10);

    /// <summary>How often the server writes the summary of what it did not log line by line.</summary>
    public TimeSpan LogPeriod { get; init; } = DefaultLogPeriod;

    /// <summary>The clock of the log periods (tests give a fake one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where the server logs connections and refusals, one line each with no prefix: the host decides
    /// how a line is shown (above the console's edited line, or as a log entry). Null for silence.
    /// </summary>
    public TextWriter? Log { get; init; }
}
