using System.Net;
using System.Net.Sockets;

namespace Iridium.Cluster.Seeds;

/// <summary>
/// <c>dns:NAME:PORT</c>: every A and AAAA record of NAME, at PORT, looked up again on every round,
/// so a DNS round robin or a Kubernetes headless Service (one record per pod, changing as pods
/// come and go) is the seed list. Records are tried in the order the resolver gives them, each
/// once; a name that does not resolve fails the round (the joiner logs why and backs off).
/// </summary>
internal sealed class DnsSeeds : ISeedSource
{
    /// <summary>Every address of a name; throws (typically <see cref="SocketException"/>) when there are none.</summary>
    public delegate Task<IPAddress[]> Resolver(string name, CancellationToken ct);

    private readonly string _name;
    private readonly int _port;
    private readonly Resolver _resolve;

    public DnsSeeds(string name, int port, Resolver? resolve = null)
    {
        _name = name;
        _port = port;
        _resolve = resolve ?? SystemResolver;
    }

    public async ValueTask<IReadOnlyList<SeedAddress>> ResolveAsync(CancellationToken ct)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await _resolve(_name, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            // The resolver's message alone ("Name or service not known") does not say which name.
            throw new SeedLookupException($"dns:{_name}: {e.Message}", e);
        }
        var seeds = new List<SeedAddress>(addresses.Length);
        foreach (var address in addresses)
        {
            // An IPv4 address a dual-stack resolver gives as ::ffff:a.b.c.d is dialed as a.b.c.d.
            var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            var seed = new SeedAddress(plain.ToString(), _port);
            if (!seeds.Contains(seed)) seeds.Add(seed);
        }
        return seeds;
    }

    private static Task<IPAddress[]> SystemResolver(string name, CancellationToken ct)
        => Dns.GetHostAddressesAsync(name, AddressFamily.Unspecified, ct);
}

/// <summary>A <c>dns:</c> seed's name did not resolve.</summary>
internal sealed class SeedLookupException(string message, Exception inner) : Exception(message, inner);
