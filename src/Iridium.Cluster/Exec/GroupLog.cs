using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// The output of a detached group (`exec --detach`): its last <see cref="MaxBytes"/> bytes, as
/// `iridium logs` shows them, and the followers (`logs --follow`) that get each write as it comes.
/// The group writes whole lines under its output lock, so a write never blocks: the oldest bytes
/// go, and a follower that cannot take a write (its connection is full or gone) is dropped. The
/// buffer grows as the group prints, so a quiet group costs little.
/// </summary>
internal sealed class GroupLog : WriteOnlyStream
{
    /// <summary>The output kept of each detached group (docs/reference/runtime.md: the last 64 KiB).</summary>
    public const int MaxBytes = 64 << 10;

    private readonly Lock _gate = new();
    private readonly List<Follower> _followers = [];
    private byte[] _ring = new byte[256];
    private int _start;
    private int _length;
    private string? _end;

    /// <summary>How the group ended ("n1.4 halted with status 0"); null while it runs.</summary>
    public string? End
    {
        get { lock (_gate) return _end; }
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        lock (_gate)
        {
            Keep(data);
            if (_followers.Count == 0) return;
            byte[] copy = data.ToArray();
            _followers.RemoveAll(follower => !follower.OnBytes(copy));
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    /// <summary>
    /// What is kept now, with the end when the group has ended, to <paramref name="kept"/>; then
    /// (with <paramref name="follow"/>, while the group runs) every later write to
    /// <paramref name="onBytes"/> and the end to <paramref name="onEnd"/>, until the returned
    /// action stops it (the follower is gone; calling it after the end does nothing).
    /// <paramref name="kept"/> runs under the lock, so no write comes between it and the first followed one.
    /// </summary>
    public Action Read(bool follow, Action<byte[], string?> kept, Func<byte[], bool> onBytes, Action<string> onEnd)
    {
        lock (_gate)
        {
            var bytes = new byte[_length];
            int first = Math.Min(_length, _ring.Length - _start);
            _ring.AsSpan(_start, first).CopyTo(bytes);
            _ring.AsSpan(0, _length - first).CopyTo(bytes.AsSpan(first));
            kept(bytes, _end);
            if (!follow || _end is not null) return NotFollowing;
            var follower = new Follower(onBytes, onEnd);
            _followers.Add(follower);
            return () =>
            {
                lock (_gate) _followers.Remove(follower);
            };
        }
    }

    private static readonly Action NotFollowing = () => { };

    /// <summary>Followers, this many now (tests: one that left is not held).</summary>
    internal int Followers
    {
        get { lock (_gate) return _followers.Count; }
    }

    /// <summary>The group has ended (<paramref name="how"/>): followers hear it and are let go.</summary>
    public void Ended(string how)
    {
        List<Follower> followers;
        lock (_gate)
        {
            if (_end is not null) return;
            _end = how;
            followers = [.. _followers];
            _followers.Clear();
        }
        foreach (var follower in followers) follower.OnEnd(how);
    }

    /// <summary>Appends to the ring (under the lock), growing it up to <see cref="MaxBytes"/> and then dropping the oldest bytes.</summary>
    private void Keep(ReadOnlySpan<byte> data)
    {
        if (data.Length >= MaxBytes)
        {
            if (_ring.Length < MaxBytes) _ring = new byte[MaxBytes];
            data[^MaxBytes..].CopyTo(_ring);
            _start = 0;
            _length = MaxBytes;
            return;
        }
        if (_length + data.Length > _ring.Length && _ring.Length < MaxBytes)
        {
            var grown = new byte[Math.Min(MaxBytes, Math.Max(_ring.Length * 2, _length + data.Length))];
            int first = Math.Min(_length, _ring.Length - _start);
            _ring.AsSpan(_start, first).CopyTo(grown);
            _ring.AsSpan(0, _length - first).CopyTo(grown.AsSpan(first));
            _ring = grown;
            _start = 0;
        }
        int overflow = _length + data.Length - _ring.Length;
        if (overflow > 0)
        {
            _start = (_start + overflow) % _ring.Length;
            _length -= overflow;
        }
        int end = (_start + _length) % _ring.Length;
        int head = Math.Min(data.Length, _ring.Length - end);
        data[..head].CopyTo(_ring.AsSpan(end));
        data[head..].CopyTo(_ring);
        _length += data.Length;
    }

    /// <summary>One `logs --follow`: where each write goes (false: it cannot take it, drop the follower) and where the end goes.</summary>
    private sealed record Follower(Func<byte[], bool> OnBytes, Action<string> OnEnd);
}
