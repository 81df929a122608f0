using System.IO.Hashing;

namespace Iridium.Store.Model;

/// <summary>Keys are compared by content; hashed with XxHash3 (seeded per process, so a chosen key set cannot make one chain).</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();
    private static readonly long Seed = Random.Shared.NextInt64();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] key) => (int)XxHash3.HashToUInt64(key, Seed);
}
