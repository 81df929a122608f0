using Iridium.Vm;

namespace Iridium.Cluster.Processes;

/// <summary>
/// The programs other members spawned processes of, by hash, so that the next SPAWN of the same
/// program sends only its hash. Bounded in bytes: past the bound the least recently used images
/// go (a SPAWN that finds its image gone asks for it again). Thread-safe.
/// </summary>
internal sealed class ImageCache(long maxBytes)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, ProcessImage Image)>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, ProcessImage Image)> _recent = new();
    private long _bytes;

    public long Bytes
    {
        get { lock (_gate) return _bytes; }
    }

    public int Count
    {
        get { lock (_gate) return _byKey.Count; }
    }

    /// <summary>The key of an image: its hash, and whether it is headerless (the same bytes mean another program then).</summary>
    public static string KeyOf(ReadOnlySpan<byte> hash, bool headerless) => Convert.ToHexString(hash) + (headerless ? "-h" : "");

    public ProcessImage? Get(string key)
    {
        lock (_gate)
        {
            if (!_byKey.TryGetValue(key, out var node)) return null;
            _recent.Remove(node);
            _recent.AddFirst(node);
            return node.Value.Image;
        }
    }

    /// <summary>Keeps <paramref name="image"/> unless it alone is over the bound.</summary>
    public void Add(string key, ProcessImage image)
    {
        long size = image.Bytes.Length;
        if (size > maxBytes) return;
        lock (_gate)
        {
            if (_byKey.ContainsKey(key)) return;
            while (_bytes + size > maxBytes && _recent.Last is { } oldest)
            {
                _recent.RemoveLast();
                _byKey.Remove(oldest.Value.Key);
                _bytes -= oldest.Value.Image.Bytes.Length;
            }
            _byKey[key] = _recent.AddFirst((key, image));
            _bytes += size;
        }
    }
}
