using Iridium.Cluster.Membership;

namespace Iridium.Cluster.Tests.Membership;

/// <summary>Which node of a pair dials first: always exactly one, and every node about half of the time.</summary>
public class FirstDialerTests
{
    [Fact]
    public void OfEveryPairExactlyOneDialsFirst()
    {
        var random = new Random(7);
        var ids = Enumerable.Range(0, 200).Select(_ => NewId(random)).ToArray();
        foreach (var a in ids)
        {
            foreach (var b in ids)
            {
                if (a != b) Assert.NotEqual(FirstDialer.IsSelf(a, b), FirstDialer.IsSelf(b, a));
            }
        }
    }

    [Fact]
    public void EveryNodeDialsAboutHalfOfItsPeersWhateverItsId()
    {
        // With the lower id always dialing, the lowest of 256 dialed 255 peers and the highest none.
        var random = new Random(11);
        var ids = Enumerable.Range(0, 256).Select(_ => NewId(random)).OrderBy(id => id).ToArray();
        int[] dials = ids.Select(a => ids.Count(b => b != a && FirstDialer.IsSelf(a, b))).ToArray();
        Assert.Equal(256 * 255 / 2, dials.Sum());
        // Binomial(255, 1/2): 128 ± 8 for one standard deviation; the whole range stays well inside 60-195.
        Assert.All(dials, count => Assert.InRange(count, 60, 195));
        Assert.InRange(dials[0], 60, 195);          // the lowest id
        Assert.InRange(dials[^1], 60, 195);         // the highest
    }

    /// <summary>A random version-4 id, as the node makes them.</summary>
    private static Guid NewId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Guid(bytes);
    }
}
