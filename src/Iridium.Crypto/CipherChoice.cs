using System.Runtime.Intrinsics.X86;

namespace Iridium.Crypto;

/// <summary>
/// The AEAD a connection's Noise protocol uses (its name's cipher part); the byte value travels
/// in the cluster's SecureHello. Both are BouncyCastle's, 256-bit keys, 128-bit tags.
/// </summary>
public enum CipherChoice : byte
{
    /// <summary>ChaCha20-Poly1305 (RFC 8439): fast in software everywhere.</summary>
    ChaChaPoly = 1,

    /// <summary>AES-256-GCM: fastest where the CPU has AES and carry-less multiply instructions.</summary>
    AesGcm = 2,
}

public static class CipherChoices
{
    /// <summary>
    /// This machine's pick, by the measurement in docs/cluster.md ("Encryption"): BouncyCastle's
    /// AES-GCM runs on the AES-NI and PCLMULQDQ instructions when the CPU has both, and is then
    /// several times faster than its ChaCha20-Poly1305; without them its table-driven AES is the
    /// slower one. The same rule TLS stacks apply when they order their cipher suites.
    /// </summary>
    public static CipherChoice Preferred { get; } = Aes.IsSupported && Pclmulqdq.IsSupported ? CipherChoice.AesGcm : CipherChoice.ChaChaPoly;

    public static bool IsKnown(byte value) => value is (byte)CipherChoice.ChaChaPoly or (byte)CipherChoice.AesGcm;

    /// <summary>The cipher's name in a Noise protocol name.</summary>
    public static string NoiseName(this CipherChoice cipher) => cipher == CipherChoice.AesGcm ? "AESGCM" : "ChaChaPoly";
}
