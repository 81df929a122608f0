using System.Buffers.Binary;

namespace Iridium.Store.Model;

/// <summary>
/// The store's contents on one voter: keys, values and the revision (log index) of each key's last
/// write. Writes come only from the log, one at a time (<see cref="Apply"/>); reads may run on other
/// threads at the same time, hence the lock. <see cref="WriteSnapshot"/> and <see cref="ReadSnapshot"/>
/// are the snapshot format: "IRKV", a version byte, the key count, then each key, value and revision.
/// </summary>
public sealed class KeyValueState
{
    private static ReadOnlySpan<byte> Magic => "IRKV"u8;
    private const byte SnapshotVersion = 1;

    private readonly Lock gate = new();
    private Dictionary<byte[], StoredValue> entries = new(ByteArrayComparer.Instance);
    private long valueBytes;

    public int Count
    {
        get { lock (gate) return entries.Count; }
    }

    /// <summary>Bytes of all keys and values, for `iridium store status`.</summary>
    public long Bytes
    {
        get { lock (gate) return valueBytes; }
    }

    public StoredValue? Get(byte[] key)
    {
        lock (gate) return entries.GetValueOrDefault(key);
    }

    /// <summary>Keys that start with <paramref name="prefix"/>, in byte order, at most <paramref name="limit"/> of them.</summary>
    public List<KeyValuePair<byte[], StoredValue>> List(ReadOnlySpan<byte> prefix, int limit)
    {
        var found = new List<KeyValuePair<byte[], StoredValue>>();
        lock (gate)
        {
            foreach (var pair in entries)
                if (pair.Key.AsSpan().StartsWith(prefix)) found.Add(pair);
        }
        found.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        if (found.Count > limit) found.RemoveRange(limit, found.Count - limit);
        return found;
    }

    /// <summary>Applies the log entry at <paramref name="index"/>; the same bytes give the same result on every voter.</summary>
    public StoreResult Apply(ReadOnlySpan<byte> entry, long index)
    {
        if (!StoreCommand.TryDecode(entry, out var command)) return new(StoreOutcome.Malformed, index);
        lock (gate)
        {
            var current = entries.GetValueOrDefault(command!.Key);
            switch (command.Operation)
            {
                case StoreOperation.Put:
                    Set(command.Key, current, command.Value!, index);
                    return new(StoreOutcome.Done, index);
                case StoreOperation.Delete:
                    if (current is null) return new(StoreOutcome.NotFound, index);
                    entries.Remove(command.Key);
                    valueBytes -= command.Key.Length + current.Value.Length;
                    return new(StoreOutcome.Done, index);
                default:
                    var matches = command.Expected is null
                        ? current is null
                        : current is not null && current.Value.AsSpan().SequenceEqual(command.Expected);
                    if (!matches) return new(StoreOutcome.Mismatch, index);
                    Set(command.Key, current, command.Value!, index);
                    return new(StoreOutcome.Done, index);
            }
        }
    }

    private void Set(byte[] key, StoredValue? current, byte[] value, long index)
    {
        valueBytes += value.Length - (current?.Value.Length ?? -key.Length);
        entries[key] = new StoredValue(value, index);
    }

    public byte[] WriteSnapshot()
    {
        lock (gate)
        {
            long size = Magic.Length + 1 + 8;
            foreach (var pair in entries) size += 4 + pair.Key.Length + 4 + pair.Value.Value.Length + 8;
            var bytes = new byte[size];
            var span = bytes.AsSpan();
            Magic.CopyTo(span);
            span[4] = SnapshotVersion;
            BinaryPrimitives.WriteInt64LittleEndian(span[5..], entries.Count);
            var at = 13;
            foreach (var pair in entries)
            {
                at = WriteBlock(span, at, pair.Key);
                at = WriteBlock(span, at, pair.Value.Value);
                BinaryPrimitives.WriteInt64LittleEndian(span[at..], pair.Value.Revision);
                at += 8;
            }
            return bytes;
        }
    }

    /// <summary>Replaces the contents with a snapshot's; a malformed snapshot changes nothing and throws.</summary>
    public void ReadSnapshot(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 13 || !bytes[..4].SequenceEqual(Magic) || bytes[4] != SnapshotVersion)
            throw new InvalidDataException("store snapshot: not a snapshot of this format");
        var count = BinaryPrimitives.ReadInt64LittleEndian(bytes[5..]);
        if (count < 0 || count > (bytes.Length - 13) / 16)
            throw new InvalidDataException($"store snapshot: a count of {count} keys does not fit its {bytes.Length} bytes");
        var loaded = new Dictionary<byte[], StoredValue>((int)count, ByteArrayComparer.Instance);
        long loadedBytes = 0;
        var at = 13;
        for (long i = 0; i < count; i++)
        {
            var key = ReadBlock(bytes, ref at, StoreLimits.MaxKeyBytes);
            var value = ReadBlock(bytes, ref at, StoreLimits.HardMaxValueBytes);
            if (key.Length < StoreLimits.MinKeyBytes || bytes.Length - at < 8)
                throw new InvalidDataException($"store snapshot: entry {i} is cut short");
            var revision = BinaryPrimitives.ReadInt64LittleEndian(bytes[at..]);
            at += 8;
            if (!loaded.TryAdd(key, new StoredValue(value, revision)))
                throw new InvalidDataException($"store snapshot: entry {i} repeats a key");
            loadedBytes += key.Length + value.Length;
        }
        if (at != bytes.Length) throw new InvalidDataException("store snapshot: bytes after the last entry");
        lock (gate)
        {
            entries = loaded;
            valueBytes = loadedBytes;
        }
    }

    private static int WriteBlock(Span<byte> span, int at, byte[] block)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)block.Length);
        block.CopyTo(span[(at + 4)..]);
        return at + 4 + block.Length;
    }

    private static byte[] ReadBlock(ReadOnlySpan<byte> bytes, ref int at, int maxLength)
    {
        if (bytes.Length - at < 4) throw new InvalidDataException("store snapshot: cut short");
        var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);
        if (length > (uint)maxLength || length > (uint)(bytes.Length - at - 4))
            throw new InvalidDataException($"store snapshot: a block of {length} bytes at offset {at} is too long");
        var block = bytes.Slice(at + 4, (int)length).ToArray();
        at += 4 + (int)length;
        return block;
    }
}
