using Org.BouncyCastle.Crypto.Digests;

namespace Iridium.Crypto;

/// <summary>SHA-256, BouncyCastle's (not .NET's, which calls OpenSSL and so fails in a root without libssl).</summary>
public static class Sha256
{
    public const int HashSize = 32;

    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new Sha256Digest();
        digest.BlockUpdate(data);
        var hash = new byte[HashSize];
        digest.DoFinal(hash);
        return hash;
    }
}
