using DotNext.IO;
using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;

namespace Iridium.Store.Raft;

/// <summary>Bytes that arrived in a Raft message, handed to DotNext as a log entry, a snapshot or a configuration.</summary>
internal sealed class ReceivedEntry(long term, int? commandId, bool isConfiguration, bool isSnapshot, byte[] payload)
    : IRaftLogEntry
{
    public static ReceivedEntry Of(RaftEntry entry) =>
        new(entry.Term, entry.CommandId, entry.IsConfiguration, false, entry.Payload);

    public long Term => term;
    public int? CommandId => commandId;
    public bool IsConfiguration => isConfiguration;
    public bool IsSnapshot => isSnapshot;
    public bool IsReusable => true;
    public long? Length => payload.Length;

    public bool TryGetMemory(out ReadOnlyMemory<byte> memory)
    {
        memory = payload;
        return true;
    }

    public ValueTask WriteToAsync<TWriter>(TWriter writer, CancellationToken token)
        where TWriter : IAsyncBinaryWriter =>
        writer.WriteAsync(payload, null, token);
}

/// <summary>The entries of one AppendEntries request, in order, as DotNext reads them.</summary>
internal sealed class ReceivedEntries(IReadOnlyList<RaftEntry> entries) : ILogEntryProducer<ReceivedEntry>
{
    private int next;

    public long RemainingCount => entries.Count - next;

    public ReceivedEntry Current { get; private set; } = null!;

    public ValueTask<bool> MoveNextAsync()
    {
        if (next >= entries.Count) return ValueTask.FromResult(false);
        Current = ReceivedEntry.Of(entries[next++]);
        return ValueTask.FromResult(true);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
