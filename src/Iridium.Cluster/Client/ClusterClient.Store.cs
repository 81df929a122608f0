using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Client;

/// <summary>A key-value call's answer as a client sees it: <see cref="Message"/> is escaped for a terminal.</summary>
public sealed record KvAnswer(KvStatus Status, byte[] Value, long Revision, string Message, IReadOnlyList<KvPair> Entries, bool Truncated);

/// <summary>One key of `kv list`.</summary>
public sealed record KvPair(byte[] Key, byte[] Value, long Revision);

/// <summary>One voter's view of the store, as `iridium store status` shows it (strings escaped).</summary>
public sealed record StoreView(
    string Voter, string? Leader, long Term, long CommitIndex, long LastLogIndex, long AppliedIndex,
    long Keys, long DataBytes, long LogBytes, long SnapshotBytes, IReadOnlyList<StoreVoterView> Voters);

public sealed record StoreVoterView(string Name, string State, bool IsLeader);

/// <summary>Thrown by <see cref="ClusterClient.StoreStatusAsync"/> when the node has no view to give (<see cref="Status"/> says why).</summary>
public sealed class StoreStatusException(KvStatus status, string message) : Exception(message)
{
    public KvStatus Status { get; } = status;
}

/// <summary>The replicated store's calls (`iridium kv`, `iridium store status`, the kv benchmark).</summary>
public sealed partial class ClusterClient
{
    /// <summary>How long past its own timeout a client waits for a store call: the node's store timeout (5 s by default) bounds it there.</summary>
    private static readonly TimeSpan StoreWait = TimeSpan.FromSeconds(6);

    private long _lastStoreCall;

    public Task<KvAnswer> GetAsync(byte[] key, bool stale = false, CancellationToken ct = default)
        => KvAsync(new KvRequest { Operation = KvOperation.Get, Key = key, Stale = stale }, ct);

    public Task<KvAnswer> PutAsync(byte[] key, byte[] value, CancellationToken ct = default)
        => KvAsync(new KvRequest { Operation = KvOperation.Put, Key = key, Value = value }, ct);

    public Task<KvAnswer> DeleteAsync(byte[] key, CancellationToken ct = default)
        => KvAsync(new KvRequest { Operation = KvOperation.Delete, Key = key }, ct);

    /// <summary>Puts <paramref name="value"/> if the key holds <paramref name="expected"/>; null: if the key does not exist.</summary>
    public Task<KvAnswer> CompareAndSetAsync(byte[] key, byte[]? expected, byte[] value, CancellationToken ct = default)
        => KvAsync(new KvRequest { Operation = KvOperation.CompareAndSet, Key = key, Expected = expected, ExpectAbsent = expected is null, Value = value }, ct);

    /// <summary>Keys starting with <paramref name="prefix"/> (empty: all), in byte order, at most <paramref name="limit"/>.</summary>
    public Task<KvAnswer> ListAsync(byte[] prefix, int limit, CancellationToken ct = default)
        => KvAsync(new KvRequest { Operation = KvOperation.List, Key = prefix, Limit = limit }, ct);

    public async Task<StoreView> StoreStatusAsync(CancellationToken ct = default)
    {
        var id = Interlocked.Increment(ref _lastStoreCall);
        var reply = await StoreRequestAsync<StoreStatusReply>(new StoreStatusQuery { CallId = id }, id, ct).ConfigureAwait(false);
        if (reply.Status != KvStatus.Done) throw new StoreStatusException(reply.Status, UntrustedText.Escape(reply.Message ?? "no answer"));
        return new StoreView(
            UntrustedText.Escape(reply.Voter ?? "?"), reply.Leader is null ? null : UntrustedText.Escape(reply.Leader), reply.Term, reply.CommitIndex,
            reply.LastLogIndex, reply.AppliedIndex, reply.Keys, reply.DataBytes, reply.LogBytes, reply.SnapshotBytes,
            (reply.Voters ?? []).Where(v => v is not null)
                .Select(v => new StoreVoterView(UntrustedText.Escape(v.Name ?? "?"), UntrustedText.Escape(v.State ?? "?"), v.IsLeader)).ToArray());
    }

    private async Task<KvAnswer> KvAsync(KvRequest request, CancellationToken ct)
    {
        request.CallId = Interlocked.Increment(ref _lastStoreCall);
        var reply = await StoreRequestAsync<KvReply>(request, request.CallId, ct).ConfigureAwait(false);
        var entries = (reply.Entries ?? []).Where(e => e is not null).Select(e => new KvPair(e.Key ?? [], e.Value ?? [], e.Revision)).ToArray();
        return new KvAnswer(reply.Status, reply.Value ?? [], reply.Revision, UntrustedText.Escape(reply.Message ?? ""), entries, reply.Truncated);
    }

    private async Task<TReply> StoreRequestAsync<TReply>(IStoreMessage request, long id, CancellationToken ct)
        where TReply : class, IStoreMessage
    {
        var wait = _timeout + StoreWait;
        BlockingReadsWait(wait);
        using var deadline = new CallDeadline(_io, wait, ct);
        return await RequestAsync<TReply>(request, r => r.CallId == id, deadline.Token, ct).ConfigureAwait(false);
    }
}
