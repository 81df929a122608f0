namespace Iridium.Vm;

/// <summary>
/// A process's queue of letters, bounded in messages and payload bytes. Not thread-safe: its
/// process's lock guards it. The queue is allocated at the first letter, so an idle process that
/// never received anything pays for none. A struct kept in its process (a field, never copied):
/// one object fewer per process to allocate and for the collector to trace.
/// </summary>
internal struct Mailbox
{
    private LetterQueue? _letters;
    private long _bytes;

    public readonly int Count => _letters?.Count ?? 0;

    public readonly long Bytes => _bytes;

    /// <summary>Messages refused because this mailbox was full (what `ps` shows as dropped).</summary>
    public long Dropped { get; private set; }

    /// <summary>Queues a message unless that would pass either limit (then counts it as dropped).</summary>
    public bool TryAdd(Letter message, int maxMessages, int maxBytes)
    {
        int length = message.Payload!.Length;
        if (Count >= maxMessages || _bytes + length > maxBytes)
        {
            Dropped++;
            return false;
        }
        (_letters ??= new LetterQueue()).Enqueue(message);
        _bytes += length;
        return true;
    }

    /// <summary>
    /// Queues a down notice past the limits: notices are bounded by the monitors set, one each,
    /// and a watcher must learn of an end even when its mailbox is full of messages.
    /// </summary>
    public void AddNotice(Letter notice) => (_letters ??= new LetterQueue()).Enqueue(notice);

    public readonly bool TryPeek(out Letter letter)
    {
        if (_letters is { Count: > 0 } letters) return letters.TryPeek(out letter);
        letter = default;
        return false;
    }

    public void RemoveFirst()
    {
        var letter = _letters!.Dequeue();
        _bytes -= letter.Payload?.Length ?? 0;
    }

    public void Clear()
    {
        _letters = null;
        _bytes = 0;
    }
}
