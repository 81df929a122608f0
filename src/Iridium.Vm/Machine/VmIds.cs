namespace Iridium.Vm;

/// <summary>
/// Ids for VMs that were not given one. Running a program needs no randomness (a scratch root
/// has no /dev, and Guid.NewGuid reads /dev/urandom on Linux), so an id is built from what makes
/// it unique without any: when this process started (Unix ms, 48 bits), its pid (32 bits) and
/// a count of the ids it has made (42 bits), laid out as a UUID version 8 (RFC 9562, custom).
/// Two processes on one host differ in pid or start time; VMs a node spawns for the cluster get
/// random ids from their spawner instead.
/// </summary>
internal static class VmIds
{
    private static readonly long StartMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private static readonly uint Pid = (uint)Environment.ProcessId;
    private static long _count;

    public static Guid Next()
    {
        long n = Interlocked.Increment(ref _count);
        Span<byte> b = stackalloc byte[16];
        for (int i = 0; i < 6; i++) b[i] = (byte)(StartMs >> (40 - 8 * i));
        b[6] = (byte)(0x80 | ((Pid >> 28) & 0x0F)); // version 8
        b[7] = (byte)(Pid >> 20);
        b[8] = (byte)(0x80 | ((Pid >> 14) & 0x3F)); // RFC 9562 variant
        b[9] = (byte)(Pid >> 6);
        b[10] = (byte)((Pid << 2) | (byte)((n >> 40) & 0x03));
        for (int i = 11; i < 16; i++) b[i] = (byte)(n >> (32 - 8 * (i - 11)));
        return new Guid(b, bigEndian: true);
    }
}
