namespace Iridium.Wire.Internal;

/// <summary>
/// Per-call state of a write that only circular-reference objects need: the id given to each
/// object already written. Created on first use so plain objects never allocate it.
/// </summary>
internal sealed class WireWriteState
{
    private readonly Dictionary<object, uint> _ids = new(ReferenceEqualityComparer.Instance);

    /// <summary>True with the existing id, or false after assigning the next id (0, 1, 2, ...).</summary>
    public bool TryGetOrAddId(object value, out uint id)
    {
        if (_ids.TryGetValue(value, out id)) return true;
        id = (uint)_ids.Count;
        _ids.Add(value, id);
        return false;
    }
}

/// <summary>Per-call state of a read: objects by circular-reference id.</summary>
internal sealed class WireReadState
{
    private readonly List<object> _objects = new();

    public int Count => _objects.Count;

    public void Register(uint id, object value)
    {
        // Ids are assigned in order of first appearance, so a conforming writer never skips one.
        if (id != (uint)_objects.Count) throw new WireFormatException($"Circular-reference id {id} is out of sequence (expected {_objects.Count}).");
        _objects.Add(value);
    }

    public object Get(uint id)
    {
        if (id >= (uint)_objects.Count) throw new WireFormatException($"Back-reference to unknown object id {id}.");
        return _objects[(int)id];
    }
}
