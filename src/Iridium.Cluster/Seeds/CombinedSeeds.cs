namespace Iridium.Cluster.Seeds;

/// <summary>
/// Several sources as one (<c>--join 10.0.0.5:2254,dns:iridium:2254</c>): their answers in order,
/// each address once. A source that fails (a name that does not resolve) leaves the others' seeds
/// to try; only when every source fails does the round fail, with the first failure.
/// </summary>
internal sealed class CombinedSeeds(IReadOnlyList<ISeedSource> sources) : ISeedSource
{
    public async ValueTask<IReadOnlyList<SeedAddress>> ResolveAsync(CancellationToken ct)
    {
        var seeds = new List<SeedAddress>();
        var seen = new HashSet<SeedAddress>();
        Exception? firstFailure = null;
        int failures = 0;
        foreach (var source in sources)
        {
            try
            {
                foreach (var seed in await source.ResolveAsync(ct).ConfigureAwait(false))
                {
                    if (seen.Add(seed)) seeds.Add(seed);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                firstFailure ??= e;
                failures++;
            }
        }
        if (failures == sources.Count && firstFailure is not null) throw firstFailure;
        return seeds;
    }
}
