using Iridium.Store.Model;

namespace Iridium.Store.Service;

/// <summary>The store on a voter: every call goes to its own <see cref="StoreNode"/> (which passes what the leader must do to the leader).</summary>
public sealed class VoterStoreService(StoreNode node) : StoreService
{
    public override StoreLimits Limits => node.Limits;

    public override Task<StoredValue?> GetAsync(byte[] key, bool stale = false, CancellationToken token = default)
    {
        if (!stale) return node.GetAsync(key, token);
        if (Limits.Problem(key) is { } problem) throw new ArgumentException(problem);
        return Task.FromResult(node.GetStale(key));
    }

    public override Task<StoreResult> WriteAsync(StoreCommand command, CancellationToken token = default)
    {
        Check(command);
        return node.WriteAsync(command, token);
    }

    public override async Task<IReadOnlyList<KeyValuePair<byte[], StoredValue>>> ListAsync(byte[] prefix, int limit, CancellationToken token = default)
    {
        if (prefix.Length > StoreLimits.MaxKeyBytes) throw new ArgumentException($"store: the prefix has {prefix.Length} bytes, more than the limit of {StoreLimits.MaxKeyBytes}");
        return await node.ListAsync(prefix, Math.Clamp(limit, 0, MaxListKeys), token).ConfigureAwait(false);
    }

    public override Task<StoreStatus> StatusAsync(CancellationToken token = default) => Task.FromResult(node.Status());
}
