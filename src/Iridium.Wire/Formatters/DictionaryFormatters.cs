namespace Iridium.Wire;

/// <summary>Dictionary&lt;K,V&gt;: int32 count, then key/value pairs (spec 6). Duplicate keys are rejected.</summary>
public sealed class DictionaryFormatter<TKey, TValue> : WireFormatter<Dictionary<TKey, TValue>>
    where TKey : notnull
{
    public override void Serialize(ref WireWriter writer, Dictionary<TKey, TValue>? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        writer.EnterDepth();
        writer.WriteCollectionHeader(value.Count);
        foreach (var pair in value) KeyValuePairCodec<TKey, TValue>.Write(ref writer, pair.Key, pair.Value);
        writer.ExitDepth();
    }

    public override Dictionary<TKey, TValue>? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadCollectionHeader(out int length, KeyValuePairCodec<TKey, TValue>.MinSize)) return null;
        reader.EnterDepth();
        var dictionary = new Dictionary<TKey, TValue>(length);
        for (int i = 0; i < length; i++)
        {
            KeyValuePairCodec<TKey, TValue>.Read(ref reader, out var key, out var value);
            if (!dictionary.TryAdd(key, value)) throw new WireFormatException("Duplicate dictionary key.");
        }
        reader.ExitDepth();
        return dictionary;
    }
}

/// <summary>Other dictionaries filled with Add (SortedDictionary, SortedList, ConcurrentDictionary, ...).</summary>
public sealed class AddDictionaryFormatter<TDictionary, TKey, TValue> : WireFormatter<TDictionary>
    where TDictionary : class, IDictionary<TKey, TValue>, new()
    where TKey : notnull
{
    public override void Serialize(ref WireWriter writer, TDictionary? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        DictionaryWriter.Write(ref writer, value, value.Count);
    }

    public override TDictionary? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadCollectionHeader(out int length, KeyValuePairCodec<TKey, TValue>.MinSize)) return null;
        reader.EnterDepth();
        var dictionary = new TDictionary();
        for (int i = 0; i < length; i++)
        {
            KeyValuePairCodec<TKey, TValue>.Read(ref reader, out var key, out var value);
            if (key is null || dictionary.ContainsKey(key)) throw new WireFormatException("Null or duplicate dictionary key.");
            dictionary.Add(key, value);
        }
        reader.ExitDepth();
        return dictionary;
    }
}

/// <summary>IDictionary / IReadOnlyDictionary: read back as a Dictionary&lt;K,V&gt;.</summary>
public sealed class DictionaryInterfaceFormatter<TInterface, TKey, TValue> : WireFormatter<TInterface>
    where TInterface : class, IEnumerable<KeyValuePair<TKey, TValue>>
    where TKey : notnull
{
    private static readonly DictionaryFormatter<TKey, TValue> s_dictionary = new();

    public override void Serialize(ref WireWriter writer, TInterface? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        if (!value.TryGetNonEnumeratedCount(out int count)) count = value.Count();
        DictionaryWriter.Write(ref writer, value, count);
    }

    public override TInterface? Deserialize(ref WireReader reader) => (TInterface?)(object?)s_dictionary.Deserialize(ref reader);
}

internal static class DictionaryWriter
{
    public static void Write<TKey, TValue>(ref WireWriter writer, IEnumerable<KeyValuePair<TKey, TValue>> pairs, int count)
    {
        writer.EnterDepth();
        writer.WriteCollectionHeader(count);
        int written = 0;
        foreach (var pair in pairs)
        {
            KeyValuePairCodec<TKey, TValue>.Write(ref writer, pair.Key, pair.Value);
            written++;
        }
        if (written != count) throw new InvalidOperationException("The dictionary changed while it was being serialized.");
        writer.ExitDepth();
    }
}
