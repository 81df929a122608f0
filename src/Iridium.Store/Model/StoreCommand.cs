using System.Buffers.Binary;

namespace Iridium.Store.Model;

/// <summary>What a write does; the byte is part of the log format (docs/reference/cluster-protocol.md).</summary>
public enum StoreOperation : byte
{
    Put = 1,
    Delete = 2,
    CompareAndSet = 3,
}

/// <summary>
/// One write as it is kept in the replicated log. The encoding is the log's format, so it never
/// changes meaning: a version byte, the operation, then length-prefixed (little-endian uint32) key
/// and values; a compare-and-set's expected value has an int32 length where -1 means "the key must
/// not exist". <see cref="TryDecode"/> accepts exactly what <see cref="Encode"/> writes and nothing
/// else, so a malformed entry is applied by every voter as the same no-op.
/// </summary>
public sealed record StoreCommand(StoreOperation Operation, byte[] Key, byte[]? Value, byte[]? Expected)
{
    public const byte FormatVersion = 1;

    public static StoreCommand Put(byte[] key, byte[] value) => new(StoreOperation.Put, key, value, null);
    public static StoreCommand Delete(byte[] key) => new(StoreOperation.Delete, key, null, null);

    /// <summary>Swap in <paramref name="value"/> when the key holds <paramref name="expected"/> (null: when it is absent).</summary>
    public static StoreCommand CompareAndSet(byte[] key, byte[]? expected, byte[] value) =>
        new(StoreOperation.CompareAndSet, key, value, expected);

    public byte[] Encode()
    {
        var size = 2 + 4 + Key.Length;
        if (Operation == StoreOperation.CompareAndSet) size += 4 + (Expected?.Length ?? 0);
        if (Operation != StoreOperation.Delete) size += 4 + Value!.Length;
        var bytes = new byte[size];
        var span = bytes.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)Operation;
        var at = WriteBlock(span, 2, Key);
        if (Operation == StoreOperation.CompareAndSet)
        {
            if (Expected is null)
            {
                BinaryPrimitives.WriteInt32LittleEndian(span[at..], -1);
                at += 4;
            }
            else
            {
                at = WriteBlock(span, at, Expected);
            }
        }
        if (Operation != StoreOperation.Delete) WriteBlock(span, at, Value!);
        return bytes;
    }

    public static bool TryDecode(ReadOnlySpan<byte> bytes, out StoreCommand? command)
    {
        command = null;
        if (bytes.Length < 2 || bytes[0] != FormatVersion) return false;
        var operation = (StoreOperation)bytes[1];
        var at = 2;
        if (!TryReadBlock(bytes, ref at, StoreLimits.MaxKeyBytes, out var key) || key!.Length < StoreLimits.MinKeyBytes)
            return false;
        byte[]? expected = null;
        byte[]? value = null;
        switch (operation)
        {
            case StoreOperation.Delete:
                break;
            case StoreOperation.Put:
                if (!TryReadBlock(bytes, ref at, StoreLimits.HardMaxValueBytes, out value)) return false;
                break;
            case StoreOperation.CompareAndSet:
                if (bytes.Length - at >= 4 && BinaryPrimitives.ReadInt32LittleEndian(bytes[at..]) == -1)
                    at += 4;
                else if (!TryReadBlock(bytes, ref at, StoreLimits.HardMaxValueBytes, out expected))
                    return false;
                if (!TryReadBlock(bytes, ref at, StoreLimits.HardMaxValueBytes, out value)) return false;
                break;
            default:
                return false;
        }
        if (at != bytes.Length) return false;
        command = new StoreCommand(operation, key, value, expected);
        return true;
    }

    private static int WriteBlock(Span<byte> span, int at, byte[] block)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)block.Length);
        block.CopyTo(span[(at + 4)..]);
        return at + 4 + block.Length;
    }

    private static bool TryReadBlock(ReadOnlySpan<byte> bytes, ref int at, int maxLength, out byte[]? block)
    {
        block = null;
        if (bytes.Length - at < 4) return false;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
        if (length > (uint)maxLength || length > (uint)(bytes.Length - at - 4)) return false;
        block = bytes.Slice(at + 4, (int)length).ToArray();
        at += 4 + (int)length;
        return true;
    }
}
