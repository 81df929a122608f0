using System.Runtime.InteropServices;

namespace Iridium.Crypto;

/// <summary>
/// Cryptographically secure random bytes from the kernel's getrandom(2), called in libc. Neither
/// .NET's RandomNumberGenerator nor Guid.NewGuid will do in a near-empty root: on Linux the
/// runtime's native shim reads /dev/urandom for both, and without /dev they throw
/// CryptographicException (`iridium run` died so in a scratch root). getrandom(2) needs no file: it works in a chroot, a scratch
/// container or a systemd unit with no /dev. The binary binds the call at link time
/// (DirectPInvoke "libc" in Iridium.Cli.csproj), so nothing is looked up by name at run time.
/// </summary>
public static partial class SecureRandom
{
    private const int Interrupted = 4; // EINTR

    public static void Fill(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            nint got;
            unsafe
            {
                fixed (byte* p = destination) got = GetRandom(p, (nuint)destination.Length, 0);
            }
            if (got < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interrupted) continue;
                throw new IOException($"getrandom(2) failed (errno {errno})");
            }
            // Up to 256 bytes are returned whole; longer requests may come back short.
            destination = destination[(int)got..];
        }
    }

    public static byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        Fill(bytes);
        return bytes;
    }

    /// <summary>A random (version 4) UUID, as Guid.NewGuid makes, from getrandom(2).</summary>
    public static Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }

    [LibraryImport("libc", EntryPoint = "getrandom", SetLastError = true)]
    private static unsafe partial nint GetRandom(byte* buffer, nuint length, uint flags);
}
