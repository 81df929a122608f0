namespace Iridium.Vm;

/// <summary>
/// The letters of a mailbox, oldest first, in linked segments of 4, 8, ... up to
/// <see cref="MaxSegment"/> letters. A mailbox of thousands never needs one big array (a
/// <see cref="Queue{T}"/>'s doubling array passes the large-object heap's threshold at about 3,500
/// letters, and every such allocation counts towards a full collection of all the processes), and
/// a short one costs what a queue's first array does. Not thread-safe: its mailbox's lock guards it.
/// A struct kept in its mailbox (never copied), its first segment made at the first letter.
/// </summary>
internal struct LetterQueue
{
    private const int FirstSegment = 4;
    private const int MaxSegment = 256;   // 6 KiB of letters

    private Segment? _head;   // the oldest letters, from _headAt; null until the first letter
    private Segment? _tail;   // the newest, up to _tailCount (the same segment as _head when there is one)
    private int _headAt;
    private int _tailCount;

    public int Count { get; private set; }

    public void Enqueue(Letter letter)
    {
        if (_tail is null) _head = _tail = new Segment(FirstSegment);
        else if (_tailCount == _tail.Letters.Length)
        {
            var next = new Segment(Math.Min(MaxSegment, _tail.Letters.Length * 2));
            _tail.Next = next;
            _tail = next;
            _tailCount = 0;
        }
        _tail.Letters[_tailCount++] = letter;
        Count++;
    }

    public readonly bool TryPeek(out Letter letter)
    {
        if (Count == 0)
        {
            letter = default;
            return false;
        }
        letter = _head!.Letters[_headAt];
        return true;
    }

    /// <summary>Takes the oldest letter; the queue must not be empty.</summary>
    public Letter Dequeue()
    {
        var head = _head!;
        var letter = head.Letters[_headAt];
        head.Letters[_headAt] = default;   // its payload and peer are let go
        _headAt++;
        Count--;
        if (Count == 0)
        {
            // Empty: the newest segment is kept and filled again from its start.
            _head = _tail;
            _headAt = _tailCount = 0;
        }
        else if (_headAt == head.Letters.Length)
        {
            _head = head.Next!;
            _headAt = 0;
        }
        return letter;
    }

    private sealed class Segment(int length)
    {
        public readonly Letter[] Letters = new Letter[length];
        public Segment? Next;
    }
}
