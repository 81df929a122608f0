using System.Security.Cryptography;

namespace Iridium.Crypto;

/// <summary>HMAC-SHA256 (RFC 2104) over the managed <see cref="Sha256"/>; see there for why.</summary>
public static class HmacSha256
{
    public static byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        Span<byte> block = stackalloc byte[Sha256.BlockSize];
        block.Clear();
        if (key.Length > Sha256.BlockSize) Sha256.Hash(key).CopyTo(block);
        else key.CopyTo(block);

        Span<byte> pad = stackalloc byte[Sha256.BlockSize];
        var sha = new Sha256();
        for (int i = 0; i < pad.Length; i++) pad[i] = (byte)(block[i] ^ 0x36);
        sha.Append(pad);
        sha.Append(message);
        byte[] inner = sha.Finish();

        for (int i = 0; i < pad.Length; i++) pad[i] = (byte)(block[i] ^ 0x5c);
        sha.Append(pad);
        sha.Append(inner);
        return sha.Finish();
    }

    /// <summary>Compares a received MAC with the expected one in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> mac)
        => mac.Length == Sha256.HashSize && CryptographicOperations.FixedTimeEquals(Compute(key, message), mac);
}
