namespace Iridium.Cluster.Seeds;

/// <summary>One address to try when joining.</summary>
internal readonly record struct SeedAddress(string Host, int Port)
{
    public override string ToString() => HostPort.Format(Host, Port);
}

/// <summary>
/// Where the seeds are. Asked again before every round, so a source whose answer changes (a DNS
/// name with one record per pod, say) is followed: add a source, not a special case in the loop.
/// </summary>
internal interface ISeedSource
{
    /// <summary>The seeds to try this round, in order. An empty list is a round with no answer (retried with backoff).</summary>
    ValueTask<IReadOnlyList<SeedAddress>> ResolveAsync(CancellationToken ct);
}

/// <summary>Seeds given as HOST:PORT (<c>--join</c>, config <c>join</c>).</summary>
internal sealed class StaticSeeds(IReadOnlyList<SeedAddress> seeds) : ISeedSource
{
    public ValueTask<IReadOnlyList<SeedAddress>> ResolveAsync(CancellationToken ct) => ValueTask.FromResult(seeds);
}
