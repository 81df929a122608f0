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

/// <summary>The seed source for the seeds a node is configured with.</summary>
internal static class SeedSources
{
    /// <summary>Null when <paramref name="seed"/> can be used, else what is wrong with it.</summary>
    public static string? Problem(string seed) => HostPort.TryParse(seed, out _, out _) ? null : $"seed '{seed}' is not HOST:PORT";

    public static ISeedSource From(IEnumerable<string> seeds)
    {
        var addresses = new List<SeedAddress>();
        foreach (string seed in seeds)
        {
            if (!HostPort.TryParse(seed, out string host, out int port)) throw new ArgumentException(Problem(seed));
            addresses.Add(new SeedAddress(host, port));
        }
        return new StaticSeeds(addresses);
    }
}
