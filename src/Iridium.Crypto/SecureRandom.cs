namespace Iridium.Crypto;

/// <summary>
/// Cryptographically secure random bytes from the kernel (/dev/urandom). .NET's
/// RandomNumberGenerator loads OpenSSL on Linux, which a near-empty container does not have.
/// </summary>
public static class SecureRandom
{
    public static void Fill(Span<byte> destination)
    {
        using var urandom = new FileStream("/dev/urandom", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        urandom.ReadExactly(destination);
    }

    public static byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        Fill(bytes);
        return bytes;
    }
}
