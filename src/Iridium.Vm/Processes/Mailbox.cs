namespace Iridium.Vm;

/// <summary>
/// A process's queue of letters, bounded in messages and payload bytes. Not thread-safe: its
/// process's lock guards it. The queue's storage is allocated at the first letter, so an idle
/// process that never received anything pays for none. A struct kept in its process (a field,
/// never copied), as its queue is: no object of its own to allocate and for the collector to trace.
/// </summary>
internal struct Mailbox
{
    private LetterQueue _letters;
    private long _bytes;

    public readonly int Count => _letters.Count;

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
        _letters.Enqueue(message);
        _bytes += length;
        return true;
    }

    /// <summary>
    /// Queues a down notice past the limits: notices are bounded by the monitors set, one each,
    /// and a watcher must learn of an end even when its mailbox is full of messages.
    /// </summary>
    public void AddNotice(Letter notice) => _letters.Enqueue(notice);

    public readonly bool TryPeek(out Letter letter) => _letters.TryPeek(out letter);

    public void RemoveFirst()
    {
        var letter = _letters.Dequeue();
        _bytes -= letter.Payload?.Length ?? 0;
    }

    public void Clear()
    {
        _letters = default;
        _bytes = 0;
    }
}
