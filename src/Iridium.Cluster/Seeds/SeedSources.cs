namespace Iridium.Cluster.Seeds;

/// <summary>
/// The seed source for the seeds a node is configured with (<c>--join</c>, config <c>join</c>):
/// HOST:PORT is tried as given; <c>dns:NAME:PORT</c> is every A/AAAA record of NAME, looked up
/// again on each round (<see cref="DnsSeeds"/>).
/// </summary>
internal static class SeedSources
{
    public const string DnsPrefix = "dns:";

    /// <summary>Null when <paramref name="seed"/> can be used, else what is wrong with it.</summary>
    public static string? Problem(string seed) => Parse(seed) is null
        ? seed.StartsWith(DnsPrefix, StringComparison.OrdinalIgnoreCase)
            ? $"seed '{seed}' is not dns:NAME:PORT"
            : $"seed '{seed}' is not HOST:PORT or dns:NAME:PORT"
        : null;

    /// <param name="resolve">The resolver of <c>dns:</c> seeds (tests inject a stub); default: the system's (getaddrinfo).</param>
    public static ISeedSource From(IEnumerable<string> seeds, DnsSeeds.Resolver? resolve = null)
    {
        var fixedSeeds = new List<SeedAddress>();
        var sources = new List<ISeedSource>();
        foreach (string seed in seeds)
        {
            switch (Parse(seed) ?? throw new ArgumentException(Problem(seed)))
            {
                case (true, var name, var port):
                    sources.Add(new DnsSeeds(name, port, resolve));
                    break;
                case (false, var host, var port):
                    fixedSeeds.Add(new SeedAddress(host, port));
                    break;
            }
        }
        if (sources.Count == 0) return new StaticSeeds(fixedSeeds);
        // The addresses given as such first: they need no lookup, and are what the user named first.
        if (fixedSeeds.Count > 0) sources.Insert(0, new StaticSeeds(fixedSeeds));
        return sources.Count == 1 ? sources[0] : new CombinedSeeds(sources);
    }

    private static (bool Dns, string Host, int Port)? Parse(string seed)
    {
        string text = seed.Trim();
        bool dns = text.StartsWith(DnsPrefix, StringComparison.OrdinalIgnoreCase);
        if (dns) text = text[DnsPrefix.Length..];
        if (!HostPort.TryParse(text, out string host, out int port)) return null;
        return (dns, host, port);
    }
}
