using Iridium.Repl.Cluster;
using Iridium.Repl.Programs;
using Iridium.Vm;

namespace Iridium.Repl.Engine;

/// <summary>What differs between the local console's session and a remote one.</summary>
public sealed record ReplSessionOptions
{
    /// <summary>The node alias given to the session's VMs (null for remote sessions: they have no node identity).</summary>
    public string? Alias { get; init; }

    /// <summary>Step budget of every run the session starts (<c>!load_file</c>, <c>!spawn</c>); null = unlimited.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Where program files are read.</summary>
    public IProgramFiles Files { get; init; } = new LocalProgramFiles();

    /// <summary>
    /// The processes of the host (a node's, or this program's): the session's VM is one of them, and
    /// so is every VM it SPAWNs or <c>!spawn</c>s. Its scheduler runs them all, and its limits
    /// (<c>--max-processes</c>) bound them; shared by every session of the host.
    /// </summary>
    public ProcessRuntime Processes { get; init; } = new();

    /// <summary>The node's cluster, or null when this process has none.</summary>
    public IClusterControl? Cluster { get; init; }

    /// <summary>Remote sessions refuse cluster commands.</summary>
    public bool IsRemote { get; init; }

    /// <summary>
    /// Cancelled when the session ends: the VMs it spawned are killed then, so a remote user
    /// who disconnects leaves no work behind. The console's session lasts as long as the process.
    /// </summary>
    public CancellationToken Lifetime { get; init; }

    /// <summary>Heap cap of the session's VM and of the VMs it spawns (<c>--max-heap-bytes</c>).</summary>
    public int MaxHeapBytes { get; init; } = Machine.DefaultHeapCap;

    /// <summary>The budget all the VM heaps of the process share, or null for none.</summary>
    public HeapBudget? HeapBudget { get; init; }

    /// <summary>Most program output one line of the session may print (<c>--max-output-bytes</c>); the rest is dropped, with a message. Null: no cap.</summary>
    public long? MaxOutputBytes { get; init; }
}
