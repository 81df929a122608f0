using System.Runtime.InteropServices;

namespace Iridium.Wire;

/// <summary>T[]: int32 count, then the elements (spec 6).</summary>
public sealed class ArrayFormatter<T> : WireFormatter<T[]>
{
    public override void Serialize(ref WireWriter writer, T[]? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        writer.EnterDepth();
        writer.WriteCollectionHeader(value.Length);
        ElementBlock.Write<T>(ref writer, value);
        writer.ExitDepth();
    }

    public override T[]? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadCollectionHeader(out int length, ElementBlock.MinSize<T>())) return null;
        if (length == 0) return Array.Empty<T>();
        reader.EnterDepth();
        var array = new T[length];
        ElementBlock.Read<T>(ref reader, array);
        reader.ExitDepth();
        return array;
    }
}

/// <summary>List&lt;T&gt;: same bytes as an array.</summary>
public sealed class ListFormatter<T> : WireFormatter<List<T>>
{
    public override void Serialize(ref WireWriter writer, List<T>? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        writer.EnterDepth();
        writer.WriteCollectionHeader(value.Count);
        ElementBlock.Write<T>(ref writer, CollectionsMarshal.AsSpan(value));
        writer.ExitDepth();
    }

    public override List<T>? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadCollectionHeader(out int length, ElementBlock.MinSize<T>())) return null;
        reader.EnterDepth();
        var list = new List<T>(length);
        CollectionsMarshal.SetCount(list, length);
        ElementBlock.Read<T>(ref reader, CollectionsMarshal.AsSpan(list));
        reader.ExitDepth();
        return list;
    }
}

/// <summary>
/// Collections filled with Add: HashSet, SortedSet, LinkedList, Collection, ... Written in
/// enumeration order.
/// </summary>
public sealed class AddCollectionFormatter<TCollection, T> : WireFormatter<TCollection>
    where TCollection : class, ICollection<T>, new()
{
    public override void Serialize(ref WireWriter writer, TCollection? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        EnumerableWriter.Write(ref writer, value, value.Count);
    }

    public override TCollection? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadCollectionHeader(out int length, ElementBlock.MinSize<T>())) return null;
        reader.EnterDepth();
        var collection = new TCollection();
        var formatter = WireFormatterProvider<T>.Formatter;
        for (int i = 0; i < length; i++) collection.Add(formatter.Deserialize(ref reader)!);
        reader.ExitDepth();
        return collection;
    }
}

/// <summary>Queue&lt;T&gt;: front first; read back by enqueuing in order.</summary>
public sealed class QueueFormatter<T> : WireFormatter<Queue<T>>
{
    public override void Serialize(ref WireWriter writer, Queue<T>? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        EnumerableWriter.Write(ref writer, value, value.Count);
    }

    public override Queue<T>? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadCollectionHeader(out int length, ElementBlock.MinSize<T>())) return null;
        reader.EnterDepth();
        var queue = new Queue<T>(length);
        var formatter = WireFormatterProvider<T>.Formatter;
        for (int i = 0; i < length; i++) queue.Enqueue(formatter.Deserialize(ref reader)!);
        reader.ExitDepth();
        return queue;
    }
}

/// <summary>Stack&lt;T&gt;: top first (enumeration order); read back by pushing in reverse.</summary>
public sealed class StackFormatter<T> : WireFormatter<Stack<T>>
{
    public override void Serialize(ref WireWriter writer, Stack<T>? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        EnumerableWriter.Write(ref writer, value, value.Count);
    }

    public override Stack<T>? Deserialize(ref WireReader reader)
    {
        if (!reader.TryReadCollectionHeader(out int length, ElementBlock.MinSize<T>())) return null;
        reader.EnterDepth();
        var items = new T[length];
        ElementBlock.Read<T>(ref reader, items);
        reader.ExitDepth();
        var stack = new Stack<T>(length);
        for (int i = length - 1; i >= 0; i--) stack.Push(items[i]);
        return stack;
    }
}

/// <summary>
/// Collection interfaces (IEnumerable, ICollection, IList, IReadOnlyList, ...): written in
/// enumeration order, read back as a List&lt;T&gt;.
/// </summary>
public sealed class ListInterfaceFormatter<TInterface, T> : WireFormatter<TInterface>
    where TInterface : class, IEnumerable<T>
{
    public override void Serialize(ref WireWriter writer, TInterface? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        EnumerableWriter.Write(ref writer, value);
    }

    private static readonly ListFormatter<T> s_list = new();

    public override TInterface? Deserialize(ref WireReader reader) => (TInterface?)(object?)s_list.Deserialize(ref reader);
}

/// <summary>ISet&lt;T&gt; and IReadOnlySet&lt;T&gt;: read back as a HashSet&lt;T&gt;.</summary>
public sealed class SetInterfaceFormatter<TInterface, T> : WireFormatter<TInterface>
    where TInterface : class, IEnumerable<T>
{
    private static readonly AddCollectionFormatter<HashSet<T>, T> s_set = new();

    public override void Serialize(ref WireWriter writer, TInterface? value)
    {
        if (value is null)
        {
            writer.WriteNullCollectionHeader();
            return;
        }
        EnumerableWriter.Write(ref writer, value);
    }

    public override TInterface? Deserialize(ref WireReader reader) => (TInterface?)(object?)s_set.Deserialize(ref reader);
}

/// <summary>Writes count + elements for any enumerable, materializing it when the count is unknown.</summary>
internal static class EnumerableWriter
{
    public static void Write<T>(ref WireWriter writer, IEnumerable<T> items)
    {
        if (items is T[] array)
        {
            Write(ref writer, array, array.Length);
            return;
        }
        if (items is List<T> list)
        {
            writer.EnterDepth();
            writer.WriteCollectionHeader(list.Count);
            ElementBlock.Write<T>(ref writer, CollectionsMarshal.AsSpan(list));
            writer.ExitDepth();
            return;
        }
        if (items.TryGetNonEnumeratedCount(out int count))
        {
            Write(ref writer, items, count);
            return;
        }
        var buffered = items.ToArray();
        Write(ref writer, buffered, buffered.Length);
    }

    public static void Write<T>(ref WireWriter writer, IEnumerable<T> items, int count)
    {
        writer.EnterDepth();
        writer.WriteCollectionHeader(count);
        var formatter = WireFormatterProvider<T>.Formatter;
        int written = 0;
        foreach (var item in items)
        {
            formatter.Serialize(ref writer, item);
            written++;
        }
        if (written != count) throw new InvalidOperationException("The collection changed while it was being serialized.");
        writer.ExitDepth();
    }
}
