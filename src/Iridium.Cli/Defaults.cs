namespace Iridium.Cli;

/// <summary>
/// Every default a user can override with a flag or a config key, in one place. The libraries take
/// these values as required settings, so a default changed here changes everywhere it applies
/// (the commands' help texts say "default" from these constants too).
/// </summary>
internal static class Defaults
{
    /// <summary>Listen on loopback unless told otherwise: nothing is exposed by accident.</summary>
    public const string BindHost = "127.0.0.1";

    /// <summary>The cluster listener (<c>--server-bind-port</c>).</summary>
    public const int ClusterPort = 2254;

    /// <summary>The remote REPL (<c>--bind-port</c>).</summary>
    public const int RemoteReplPort = 2244;

    /// <summary>Step budget of each run a remote session starts (<c>--max-steps</c>); local runs are unlimited.</summary>
    public const long RemoteMaxSteps = 10_000_000;

    /// <summary>Heap cap of a VM run locally (<c>run</c>, the console REPL; <c>--max-heap-bytes</c>): 64 MiB.</summary>
    public const int MaxHeapBytes = Iridium.Vm.Machine.DefaultHeapCap;

    /// <summary>Heap cap of each remote session's VM and of the VMs it spawns (<c>--max-heap-bytes</c>): 16 MiB.</summary>
    public const int RemoteMaxHeapBytes = 16 << 20;

    /// <summary>Smallest heap cap a flag may set: every program may count on 16 MiB of heap.</summary>
    public const int MinHeapBytes = 16 << 20;

    /// <summary>
    /// All the VM heaps of a node or REPL process together (<c>--max-total-heap-bytes</c>): 1 GiB,
    /// or half the memory the process may use when that is less (a container's limit counts).
    /// </summary>
    public static long TotalHeapBytes => Math.Min(1L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2);

    /// <summary>Most program output one line of a remote session may print (<c>--max-output-bytes</c>).</summary>
    public const long RemoteMaxOutputBytes = 1 << 20;

    public const int HeartbeatMs = 1000;

    /// <summary>A peer silent for this long is marked down; when only the heartbeat is set, three heartbeats (at least this).</summary>
    public const int FailureTimeoutMs = 3000;

    /// <summary>Ports tried after <c>--server-bind-port</c> when it is taken (<c>--port-search</c>).</summary>
    public const int PortSearch = 0;

    /// <summary>How long a member that went down stays listed by `members` (status down, with when and why) before it is forgotten.</summary>
    public const int DownRetentionMs = 60_000;

    /// <summary>Largest frame a node accepts from an authenticated peer (config key <c>max_frame_bytes</c>).</summary>
    public const int MaxFrameBytes = 1 << 20;

    /// <summary>How long `iridium members` / `iridium ping` wait for a node (<c>--timeout-ms</c>).</summary>
    public const int ClientTimeoutMs = 5000;

    /// <summary>Probes `iridium ping` sends (<c>--count</c>).</summary>
    public const int PingCount = 3;

    /// <summary>Largest program image exec sends and a node accepts (<c>--exec-max-image-bytes</c>): within the frame cap.</summary>
    public const int ExecMaxImageBytes = MaxFrameBytes / 2;

    /// <summary>Spawned VMs that run at once (<c>--threads</c>).</summary>
    public static int Threads => Environment.ProcessorCount;

    /// <summary>Where the data root is when <c>--data-root-dir</c> is not given and it is usable.</summary>
    public const string SystemDataRoot = "/var/lib/iridium";
}
