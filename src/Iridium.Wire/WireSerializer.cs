using System.Buffers;
using Iridium.Wire.Internal;

namespace Iridium.Wire;

/// <summary>
/// Serializes values in MemoryPack's binary format using generated, reflection-free formatters.
/// The static type argument decides the encoding (a union type writes its tag, a concrete type does not).
/// </summary>
public static class WireSerializer
{
    [ThreadStatic]
    private static ReusableBufferWriter? t_buffer;

    /// <summary>The encoding of <paramref name="value"/> as a new array.</summary>
    public static byte[] Serialize<T>(T value, WireSerializerOptions? options = null)
    {
        // Take the thread's buffer (a nested call simply gets a fresh one) and put it back after.
        var buffer = t_buffer ?? new ReusableBufferWriter();
        t_buffer = null;
        try
        {
            Serialize(buffer, value, options);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            buffer.Reset();
            t_buffer = buffer;
        }
    }

    /// <summary>Writes the encoding of <paramref name="value"/> to <paramref name="writer"/>; allocates nothing for plain objects.</summary>
    public static void Serialize<T>(IBufferWriter<byte> writer, T value, WireSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var wireWriter = new WireWriter(writer, options ?? WireSerializerOptions.Default);
        WireFormatterProvider<T>.Formatter.Serialize(ref wireWriter, value);
        wireWriter.Flush();
    }

    /// <summary>Decodes a <typeparamref name="T"/> that must take exactly all of <paramref name="bytes"/>.</summary>
    /// <exception cref="WireFormatException">The bytes are not a valid encoding of <typeparamref name="T"/>.</exception>
    public static T? Deserialize<T>(ReadOnlySpan<byte> bytes, WireSerializerOptions? options = null)
    {
        T? value = Deserialize<T>(bytes, out int bytesRead, options);
        if (bytesRead != bytes.Length) throw new WireFormatException($"{bytes.Length - bytesRead} bytes left over after the value.");
        return value;
    }

    /// <summary>Decodes a <typeparamref name="T"/> from the start of <paramref name="bytes"/>, reporting how many bytes it took.</summary>
    /// <exception cref="WireFormatException">The bytes are not a valid encoding of <typeparamref name="T"/>.</exception>
    public static T? Deserialize<T>(ReadOnlySpan<byte> bytes, out int bytesRead, WireSerializerOptions? options = null)
    {
        var reader = new WireReader(bytes, options ?? WireSerializerOptions.Default);
        try
        {
            T? value = WireFormatterProvider<T>.Formatter.Deserialize(ref reader);
            bytesRead = reader.Consumed;
            return value;
        }
        catch (WireFormatException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Constructors, setters and collections may object to decoded values (e.g. an
            // argument check); to the caller that is still input that does not decode.
            throw new WireFormatException($"Decoding {typeof(T).Name} failed: {ex.Message}", ex);
        }
    }

    /// <summary>Decodes a <typeparamref name="T"/> that must take exactly all of <paramref name="bytes"/>; multi-segment input is copied once.</summary>
    /// <exception cref="WireFormatException">The bytes are not a valid encoding of <typeparamref name="T"/>.</exception>
    public static T? Deserialize<T>(in ReadOnlySequence<byte> bytes, WireSerializerOptions? options = null)
    {
        if (bytes.IsSingleSegment) return Deserialize<T>(bytes.FirstSpan, options);
        if (bytes.Length > int.MaxValue) throw new WireFormatException("Input larger than 2 GB.");
        byte[] rented = ArrayPool<byte>.Shared.Rent((int)bytes.Length);
        try
        {
            var span = rented.AsSpan(0, (int)bytes.Length);
            bytes.CopyTo(span);
            return Deserialize<T>(span, options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
