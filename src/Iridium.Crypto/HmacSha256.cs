using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Iridium.Crypto;

/// <summary>
/// HMAC-SHA256 (RFC 2104), BouncyCastle's: the handshake's proofs and the remote REPL's login.
/// Not .NET's HMACSHA256, which calls OpenSSL and so fails in a root without libssl.
/// </summary>
public static class HmacSha256
{
    public const int MacBytes = 32;

    public static byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        var mac = new byte[MacBytes];
        Compute(key, message, mac);
        return mac;
    }

    public static void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, Span<byte> destination)
    {
        var hmac = new HMac(new Sha256Digest());
        hmac.Init(new KeyParameter(key));
        hmac.BlockUpdate(message);
        hmac.DoFinal(destination);
    }

    /// <summary>Compares a received MAC with the expected one in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> mac)
        => mac.Length == MacBytes && CryptographicOperations.FixedTimeEquals(Compute(key, message), mac);
}
