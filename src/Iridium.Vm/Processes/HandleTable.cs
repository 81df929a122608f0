namespace Iridium.Vm;

/// <summary>
/// A process's handles: small integers naming other processes, like file descriptors. Handle 0 is
/// the process itself; a new handle takes the lowest free number; the same process always has
/// the same handle; a handle stays valid after its process ended, until DROP. Guarded by its
/// process's lock. A child's handle in its parent's table is found at once
/// (<see cref="Process.HandleInParent"/>: a spawner hearing from thousands of children), and so is
/// the parent's (handle 1, unless dropped); others are searched linearly in small tables (an idle
/// spawned process holds two handles), and past <see cref="IndexFrom"/> entries a dictionary,
/// made at the first such search, finds them.
/// A struct kept in its process (a field, never copied): one object fewer per process, and one
/// memory load fewer for each RECV that looks its sender up.
/// </summary>
internal struct HandleTable
{
    private const int IndexFrom = 8;

    private Process?[] _slots;
    private int _length;          // one past the highest handle in use
    private int _lowestFree;      // no free handle below this
    private Dictionary<Process, int>? _index;
    private int _used;

    public HandleTable(Process self, Process? parent)
    {
        _slots = new Process?[parent is null ? 1 : 2];
        _slots[0] = self;
        if (parent is not null) _slots[1] = parent;
        _length = _lowestFree = _used = _slots.Length;
    }

    /// <summary>Every handle number is in use: a new handle faults HANDLE.</summary>
    public readonly bool IsFull => _used == ProcessLimits.MaxHandles;

    public readonly bool TryGet(int handle, out Process process)
    {
        if ((uint)handle < (uint)_length && _slots[handle] is { } p)
        {
            process = p;
            return true;
        }
        process = null!;
        return false;
    }

    /// <summary>The handle of <paramref name="process"/>, added if it has none; −1 when the table is full.</summary>
    public int GetOrAdd(Process process)
    {
        int existing = Find(process);
        return existing >= 0 ? existing : Add(process);
    }

    /// <summary>
    /// A handle for <paramref name="child"/>, just spawned by this table's process: it has none
    /// here yet (no one could have given it to this process); −1 when the table is full.
    /// </summary>
    public int AddChild(Process child)
    {
        System.Diagnostics.Debug.Assert(Find(child) < 0, "the child has a handle already");
        int handle = Add(child);
        child.HandleInParent = handle;
        return handle;
    }

    private int Add(Process process)
    {
        int handle = _lowestFree;
        while (handle < _length && _slots[handle] is not null) handle++;
        if (handle >= ProcessLimits.MaxHandles) return -1;
        if (handle >= _slots.Length) Array.Resize(ref _slots, Math.Min(ProcessLimits.MaxHandles, Math.Max(4, _slots.Length * 2)));
        _slots[handle] = process;
        _used++;
        if (handle >= _length) _length = handle + 1;
        _lowestFree = handle + 1;
        _index?.Add(process, handle);
        return handle;
    }

    /// <summary>Frees <paramref name="handle"/>; false for 0 (the process itself) or a number not in use.</summary>
    public bool Drop(int handle)
    {
        if (handle == 0 || !TryGet(handle, out var process)) return false;
        _slots[handle] = null;
        _used--;
        _index?.Remove(process);
        if (handle < _lowestFree) _lowestFree = handle;
        while (_length > 0 && _slots[_length - 1] is null) _length--;
        return true;
    }

    private int Find(Process process)
    {
        // This table's process spawned it: its handle here, unless dropped (then the slot holds another or none).
        int mine = process.HandleInParent;
        if (mine > 0 && mine < _length && ReferenceEquals(_slots[mine], process)) return mine;
        if (_length > 1 && ReferenceEquals(_slots[1], process)) return 1;   // the parent, most likely
        if (_index is null && _length > IndexFrom) BuildIndex();
        if (_index is not null) return _index.TryGetValue(process, out int handle) ? handle : -1;
        for (int i = 0; i < _length; i++)
        {
            if (ReferenceEquals(_slots[i], process)) return i;
        }
        return -1;
    }

    private void BuildIndex()
    {
        _index = new Dictionary<Process, int>(SameProcess.Instance);
        for (int i = 0; i < _length; i++)
        {
            if (_slots[i] is { } p) _index[p] = i;
        }
    }

    /// <summary>
    /// Processes by reference, hashed by serial. Not the identity hash: that lives in the object's
    /// header, where the process's own lock lives too, and an object locked and hashed both gets a
    /// sync block (an allocation, and every later lock of it slower); a spawner's table of
    /// thousands of children gave each of them one.
    /// </summary>
    private sealed class SameProcess : IEqualityComparer<Process>
    {
        public static readonly SameProcess Instance = new();

        public bool Equals(Process? x, Process? y) => ReferenceEquals(x, y);

        public int GetHashCode(Process process) => process.Serial.GetHashCode();
    }
}
