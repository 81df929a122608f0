using Iridium.Cluster.Protocol;
using Iridium.Store.Model;

namespace Iridium.Store.Service;

/// <summary>
/// The replicated store as every node offers it: the one entry point for `iridium kv`, `iridium
/// store status` and the VM's store instructions. A voter answers from its own Raft member
/// (<see cref="VoterStoreService"/>); any other node forwards each call over the mesh to a voter
/// (<see cref="ForwardingStoreService"/>). Every call is linearizable unless asked to be stale,
/// waits without holding a thread, and ends within the store timeout: a key or value over the
/// limits throws <see cref="ArgumentException"/>; no leader or majority in time throws
/// <see cref="StoreUnavailableException"/> (for a write: it may or may not have happened).
/// </summary>
public abstract class StoreService
{
    /// <summary>Most keys one list returns, whatever the caller asks.</summary>
    public const int MaxListKeys = 10_000;

    public abstract StoreLimits Limits { get; }

    /// <summary>The key's value and revision, or null when absent; <paramref name="stale"/>: from a voter's copy at once, possibly behind.</summary>
    public abstract Task<StoredValue?> GetAsync(byte[] key, bool stale = false, CancellationToken token = default);

    /// <summary>A put, delete or compare-and-set, acknowledged once a majority flushed it: what applying it did, and its revision.</summary>
    public abstract Task<StoreResult> WriteAsync(StoreCommand command, CancellationToken token = default);

    /// <summary>Keys starting with <paramref name="prefix"/> in byte order, at most <paramref name="limit"/> (and <see cref="MaxListKeys"/>).</summary>
    public abstract Task<IReadOnlyList<KeyValuePair<byte[], StoredValue>>> ListAsync(byte[] prefix, int limit, CancellationToken token = default);

    /// <summary>A voter's view: this node's when it is one, else the view of the voter that answered.</summary>
    public abstract Task<StoreStatus> StatusAsync(CancellationToken token = default);

    public Task<StoreResult> PutAsync(byte[] key, byte[] value, CancellationToken token = default)
        => WriteAsync(StoreCommand.Put(key, value), token);

    /// <summary><see cref="StoreOutcome.NotFound"/> when the key did not exist.</summary>
    public Task<StoreResult> DeleteAsync(byte[] key, CancellationToken token = default)
        => WriteAsync(StoreCommand.Delete(key), token);

    /// <summary>Puts <paramref name="value"/> if the key holds <paramref name="expected"/> (null: if it is absent); else <see cref="StoreOutcome.Mismatch"/>.</summary>
    public Task<StoreResult> CompareAndSetAsync(byte[] key, byte[]? expected, byte[] value, CancellationToken token = default)
        => WriteAsync(StoreCommand.CompareAndSet(key, expected, value), token);

    /// <summary>A client's call from the wire (`iridium kv`), answered for the wire; a node that is not a voter passes it to a voter as it is.</summary>
    internal virtual Task<KvReply> AnswerAsync(KvRequest request, CancellationToken token) => StoreCalls.AnswerAsync(this, request, token);

    internal virtual Task<StoreStatusReply> AnswerStatusAsync(CancellationToken token) => StoreCalls.AnswerStatusAsync(this, token);

    /// <summary>Throws when the command's key or values are over <see cref="Limits"/>: checked before anything travels.</summary>
    protected void Check(StoreCommand command)
    {
        if (Limits.Problem(command.Key, command.Value?.Length) is { } problem) throw new ArgumentException(problem);
        if (command.Expected is { Length: var expected } && Limits.Problem(command.Key, expected) is { } expectedProblem)
            throw new ArgumentException(expectedProblem.Replace("the value", "the expected value", StringComparison.Ordinal));
    }
}
