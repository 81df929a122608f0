using Iridium.Store.Model;
using Iridium.Store.Raft;

namespace Iridium.Store;

/// <summary>What a voter is started with; the CLI fills it from the node's settings.</summary>
public sealed class StoreNodeOptions
{
    /// <summary>This voter's name (the node's alias), one of <see cref="Voters"/>.</summary>
    public required string Name { get; init; }

    /// <summary>Every voter's name, the same list on every voter.</summary>
    public required IReadOnlyList<string> Voters { get; init; }

    /// <summary>Where the write-ahead log and the snapshots live.</summary>
    public required string DataDirectory { get; init; }

    public StoreLimits Limits { get; init; } = new();

    /// <summary>How long an operation may wait for a leader and a majority before it answers "unavailable".</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The store timeout of voters and of the nodes that forward to them.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public RaftTiming Timing { get; init; } = new();

    /// <summary>Applied entries between two snapshots; each snapshot lets the log before it go.</summary>
    public long SnapshotEvery { get; init; } = DefaultSnapshotEvery;

    public const long DefaultSnapshotEvery = 10_000;

    /// <summary>Told once, with the reason and the directory, when the voter's disk refuses a write and the voter stops.</summary>
    public Action<string>? Fault { get; init; }

    /// <summary>Null when the options make sense, else what is wrong.</summary>
    public string? Problem()
    {
        if (Voters.Count == 0) return "store: no voters given";
        if (!Voters.Contains(Name)) return $"store: this node ({Name}) is not one of the voters ({string.Join(", ", Voters)})";
        if (Voters.Distinct().Count() != Voters.Count) return "store: a voter is named twice";
        if (SnapshotEvery < 2) return "store: a snapshot must cover at least 2 entries";
        if (Limits.MaxValueBytes is < 0 or > StoreLimits.HardMaxValueBytes)
            return $"store: the value size limit must be between 0 and {StoreLimits.HardMaxValueBytes}";
        return null;
    }
}
