using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;

namespace Iridium.Crypto;

/// <summary>
/// The Noise pre-shared key of a cookie: HKDF-SHA256 (RFC 5869) of the cookie's bytes with the
/// info <c>iridium noise psk v2</c>, 32 bytes. A cookie of any length becomes a key of the size
/// Noise requires, and the label keeps it apart from the HMAC proofs keyed with the cookie itself.
/// </summary>
public static class CookieKey
{
    public static byte[] PreSharedKey(ReadOnlySpan<byte> cookie)
    {
        var hkdf = new HkdfBytesGenerator(new Sha256Digest());
        hkdf.Init(new HkdfParameters(cookie.ToArray(), null, "iridium noise psk v2"u8.ToArray()));
        var key = new byte[32];
        hkdf.GenerateBytes(key);
        return key;
    }
}
