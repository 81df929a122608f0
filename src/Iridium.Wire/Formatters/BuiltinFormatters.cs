using System.Numerics;

namespace Iridium.Wire;

/// <summary>
/// Formatters every assembly gets without registration: primitives, well-known fixed-size
/// types, string and byte[]. typeof comparisons fold away per instantiation, so this is AOT-safe.
/// </summary>
internal static class BuiltinFormatters
{
    public static object? Create<T>()
    {
        if (typeof(T) == typeof(bool)) return new UnmanagedFormatter<bool>();
        if (typeof(T) == typeof(byte)) return new UnmanagedFormatter<byte>();
        if (typeof(T) == typeof(sbyte)) return new UnmanagedFormatter<sbyte>();
        if (typeof(T) == typeof(short)) return new UnmanagedFormatter<short>();
        if (typeof(T) == typeof(ushort)) return new UnmanagedFormatter<ushort>();
        if (typeof(T) == typeof(char)) return new UnmanagedFormatter<char>();
        if (typeof(T) == typeof(int)) return new UnmanagedFormatter<int>();
        if (typeof(T) == typeof(uint)) return new UnmanagedFormatter<uint>();
        if (typeof(T) == typeof(long)) return new UnmanagedFormatter<long>();
        if (typeof(T) == typeof(ulong)) return new UnmanagedFormatter<ulong>();
        if (typeof(T) == typeof(float)) return new UnmanagedFormatter<float>();
        if (typeof(T) == typeof(double)) return new UnmanagedFormatter<double>();
        if (typeof(T) == typeof(decimal)) return new UnmanagedFormatter<decimal>();
        if (typeof(T) == typeof(Half)) return new UnmanagedFormatter<Half>();
        if (typeof(T) == typeof(Int128)) return new UnmanagedFormatter<Int128>();
        if (typeof(T) == typeof(UInt128)) return new UnmanagedFormatter<UInt128>();
        if (typeof(T) == typeof(nint)) return new UnmanagedFormatter<nint>();
        if (typeof(T) == typeof(nuint)) return new UnmanagedFormatter<nuint>();
        if (typeof(T) == typeof(Guid)) return new UnmanagedFormatter<Guid>();
        if (typeof(T) == typeof(DateTime)) return new UnmanagedFormatter<DateTime>();
        if (typeof(T) == typeof(DateTimeOffset)) return new UnmanagedFormatter<DateTimeOffset>();
        if (typeof(T) == typeof(TimeSpan)) return new UnmanagedFormatter<TimeSpan>();
        if (typeof(T) == typeof(DateOnly)) return new UnmanagedFormatter<DateOnly>();
        if (typeof(T) == typeof(TimeOnly)) return new UnmanagedFormatter<TimeOnly>();
        if (typeof(T) == typeof(Complex)) return new UnmanagedFormatter<Complex>();
        if (typeof(T) == typeof(string)) return new StringFormatter();
        if (typeof(T) == typeof(byte[])) return new ByteArrayFormatter();
        if (typeof(T) == typeof(Version)) return new VersionFormatter();
        if (typeof(T) == typeof(Uri)) return new UriFormatter();
        return null;
    }
}
