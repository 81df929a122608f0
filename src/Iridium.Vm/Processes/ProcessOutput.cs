namespace Iridium.Vm;

/// <summary>
/// What a member of a group prints: bytes are kept until a line is complete and then written to
/// the group's destination under the group's lock, so lines of different members never
/// interleave within a line. A partial line goes out when the member ends, when it is the only
/// living member (a lone program's prompt appears at once, as without processes), or when it
/// grows past <see cref="MaxPending"/> (bounded memory; such a line may then be split).
/// The buffer is allocated at the first byte: a process that prints nothing pays for none.
/// <para>
/// The only living member of a group the scheduler runs whole (<see cref="ProcessGroup.KeepsLonePrints"/>)
/// keeps its whole lines too, until its slice ends (the scheduler flushes it), until they fill
/// <see cref="MaxPending"/>, or until it spawns (<see cref="ReleaseLines"/>, before the child
/// can print): nobody else writes to the destination meanwhile, so what arrives there and in
/// which order is unchanged, but the locks are taken and the destination written once per
/// slice instead of once per line (a streaming exec printed 64-byte lines at a third of the
/// speed: tools/bench/exec-bench.sh).
/// </para>
/// </summary>
internal sealed class ProcessOutput(ProcessGroup group) : WriteOnlyStream
{
    private const int MaxPending = 64 * 1024;

    private byte[]? _pending;
    private int _length;
    private bool _dirty;   // written to the destination since its last flush

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (group.KeepsLonePrints && group.LiveMembers == 1)
        {
            Keep(buffer);
            return;
        }
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
        Append(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Sends complete lines on; a partial line too when this is the group's only living member.</summary>
    public override void Flush()
    {
        if (_length > 0)
        {
            if (group.LiveMembers <= 1) SendPending();
            else ReleaseLines();
        }
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

    /// <summary>
    /// The member is about to spawn (or the group has more members since it kept them): the whole
    /// lines it kept go out now, before anyone else can print; a partial line stays.
    /// </summary>
    public void ReleaseLines()
    {
        if (_length == 0) return;
        int end = _pending.AsSpan(0, _length).LastIndexOf((byte)'\n') + 1;
        if (end == 0) return;
        Emit(_pending.AsSpan(0, end), ReadOnlySpan<byte>.Empty);
        _pending.AsSpan(end, _length - end).CopyTo(_pending);
        _length -= end;
    }

    /// <summary>The only living member's print: kept as it is, whole lines and all, until the buffer is full.</summary>
    private void Keep(ReadOnlySpan<byte> buffer)
    {
        if (_length + buffer.Length > MaxPending)
        {
            if (_length > 0) SendPending();
            if (buffer.Length > MaxPending)
            {
                Emit(buffer, ReadOnlySpan<byte>.Empty);
                return;
            }
        }
        Append(buffer);
    }

    private void Append(ReadOnlySpan<byte> buffer)
    {
        if (_pending is null || _pending.Length < _length + buffer.Length)
        {
            Array.Resize(ref _pending, Math.Min(MaxPending, Math.Max(_length + buffer.Length, Math.Max(64, (_pending?.Length ?? 0) * 2))));
        }
        buffer.CopyTo(_pending.AsSpan(_length));
        _length += buffer.Length;
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
