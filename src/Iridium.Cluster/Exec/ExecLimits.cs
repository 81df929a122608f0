using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// What a node allows the programs it runs for `iridium exec`. The CLI fills these from its
/// defaults (Iridium.Cli/Defaults.cs), flags and config; the values here are for tests. How many
/// run at once is the node's process limit (<see cref="ClusterOptions.Processes"/>).
/// </summary>
public sealed class ExecLimits
{
    /// <summary>Largest image accepted; also bounded by the frame cap.</summary>
    public int MaxImageBytes { get; set; } = 512 * 1024;

    /// <summary>Step budget every program gets at most, whatever its requester asked for; null for none.</summary>
    public long? MaxSteps { get; set; }

    /// <summary>Heap cap of each program's VM.</summary>
    public int MaxHeapBytes { get; set; } = Machine.DefaultHeapCap;

    /// <summary>The budget all the node's VM heaps are counted in (shared with the remote REPL), or null.</summary>
    public HeapBudget? HeapBudget { get; set; }

    /// <summary>Null when the limits make sense with frames of at most <paramref name="maxFrameBytes"/>, else what is wrong.</summary>
    public string? Problem(int maxFrameBytes)
    {
        if (MaxImageBytes < 1) return "exec: the image size cap must be at least 1 byte";
        // A request frame carries the image and a few hundred bytes of names beside it.
        if (MaxImageBytes > maxFrameBytes - ExecFraming.RequestOverheadBytes)
            return $"exec: the image size cap ({MaxImageBytes}) must leave {ExecFraming.RequestOverheadBytes} bytes of the frame cap ({maxFrameBytes}) for the request";
        if (MaxSteps is < 0) return "exec: the step cap must not be negative";
        return null;
    }
}
