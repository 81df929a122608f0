using System.Buffers;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Iridium.Store.Model;

namespace Iridium.Store.Raft;

/// <summary>
/// Applies committed log entries to the <see cref="KeyValueState"/> and keeps it on disk as snapshots
/// (DotNext's SimpleStateMachine writes them beside the log and drops the log they cover), one every
/// <see cref="SnapshotEvery"/> entries, so the log stays bounded. On the node that proposed an entry
/// its <see cref="PendingWrite"/> (the entry's context) receives the result.
/// </summary>
internal sealed class StoreStateMachine(DirectoryInfo location, KeyValueState state, long snapshotEvery)
    : SimpleStateMachine(location)
{
    private long sinceSnapshot;

    public long SnapshotEvery { get; } = snapshotEvery;

    /// <summary>Index of the last entry applied (0 before any).</summary>
    public long AppliedIndex => Volatile.Read(ref appliedIndex);

    private long appliedIndex;

    protected override ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (!entry.IsConfiguration && entry.Length is > 0)
        {
            var result = state.Apply(Payload(entry), entry.Index);
            if (entry.Context is PendingWrite pending) pending.Result = result;
        }
        Volatile.Write(ref appliedIndex, entry.Index);
        if (++sinceSnapshot < SnapshotEvery) return ValueTask.FromResult(false);
        sinceSnapshot = 0;
        return ValueTask.FromResult(true);
    }

    private static ReadOnlySpan<byte> Payload(in LogEntry entry)
    {
        if (entry.TryGetPayload(out var sequence)) return sequence.IsSingleSegment ? sequence.FirstSpan : sequence.ToArray();
        var parts = new ArrayBufferWriter<byte>();
        foreach (var part in entry.GetPayload()) parts.Write(part.Span);
        return parts.WrittenSpan;
    }

    protected override ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token) =>
        writer.WriteAsync(state.WriteSnapshot(), null, token);

    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        state.ReadSnapshot(await File.ReadAllBytesAsync(snapshotFile.FullName, token).ConfigureAwait(false));
        sinceSnapshot = 0;
    }
}

/// <summary>The proposer's handle on a write: the state machine puts the applied result here.</summary>
internal sealed class PendingWrite
{
    public StoreResult? Result { get; set; }
}
