namespace Iridium.Vm;

/// <summary>
/// What a member of a group prints: bytes are kept until a line is complete and then written to
/// the group's destination under the group's lock, so lines of different members never
/// interleave within a line. A partial line goes out when the member ends, when it is the only
/// living member (a lone program's prompt appears at once, as without processes), or when it
/// grows past <see cref="MaxPending"/> (bounded memory; such a line may then be split).
/// The buffer is allocated at the first byte: a process that prints nothing pays for none.
/// </summary>
internal sealed class ProcessOutput(ProcessGroup group) : WriteOnlyStream
{
    private const int MaxPending = 64 * 1024;

    private byte[]? _pending;
    private int _length;
    private bool _dirty;   // written to the destination since its last flush

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int lastNewline = buffer.LastIndexOf((byte)'\n');
        if (lastNewline >= 0 && _length == 0)
        {
            // The common case, whole lines with nothing pending: straight through.
            Emit(buffer[..(lastNewline + 1)], ReadOnlySpan<byte>.Empty);
            buffer = buffer[(lastNewline + 1)..];
        }
        else if (lastNewline >= 0)
        {
            Emit(_pending.AsSpan(0, _length), buffer[..(lastNewline + 1)]);
            _length = 0;
            buffer = buffer[(lastNewline + 1)..];
        }
        if (buffer.IsEmpty) return;
        if (_length + buffer.Length > MaxPending)
        {
            Emit(_pending.AsSpan(0, _length), buffer);
            _length = 0;
            return;
        }
        if (_pending is null || _pending.Length < _length + buffer.Length)
        {
            Array.Resize(ref _pending, Math.Min(MaxPending, Math.Max(_length + buffer.Length, Math.Max(64, (_pending?.Length ?? 0) * 2))));
        }
        buffer.CopyTo(_pending.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Sends complete lines on; a partial line too when this is the group's only living member.</summary>
    public override void Flush()
    {
        if (_length > 0 && group.LiveMembers <= 1) SendPending();
        if (!_dirty) return;
        _dirty = false;
        lock (group.OutputLock) group.Destination.Flush();
    }

    /// <summary>The member has ended: whatever it left unfinished goes out.</summary>
    public void Finish()
    {
        if (_length > 0) SendPending();
        Flush();
        _pending = null;
    }

    private void SendPending()
    {
        Emit(_pending.AsSpan(0, _length), ReadOnlySpan<byte>.Empty);
        _length = 0;
    }

    private void Emit(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        lock (group.OutputLock)
        {
            group.Destination.Write(first);
            if (!second.IsEmpty) group.Destination.Write(second);
        }
        _dirty = true;
    }

}
