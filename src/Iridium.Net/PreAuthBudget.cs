namespace Iridium.Net;

/// <summary>
/// The connections a server holds before they have authenticated, kept apart from everything an
/// authenticated user needs. At most <see cref="Capacity"/> at once and at most
/// <see cref="PerSourceCap"/> from one source address. A new connection is always admitted:
/// when its address's share (or the whole budget) is full, the oldest unauthenticated connection
/// of that address (or overall) is dropped to make room. A flood from one address therefore only
/// ever pushes out its own oldest connections, and a flood from many addresses cannot keep a
/// newcomer out for longer than it takes <see cref="Capacity"/> newer connections to arrive, which
/// is far longer than an honest handshake takes. The owner also puts a short deadline on each
/// connection, so a slot is never held for long.
/// </summary>
/// <remarks>Thread-safe. Drop callbacks run outside the lock, on the admitting thread.</remarks>
public sealed class PreAuthBudget
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Ticket> _byAge = new();
    private readonly Dictionary<string, int> _perSource = new(StringComparer.Ordinal);
    private long _dropped;

    public PreAuthBudget(int capacity, int perSourceCap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perSourceCap, 1);
        Capacity = capacity;
        PerSourceCap = Math.Min(perSourceCap, capacity);
    }

    public int Capacity { get; }

    public int PerSourceCap { get; }

    /// <summary>Unauthenticated connections held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _byAge.Count;
        }
    }

    /// <summary>Connections dropped to make room since the last call (for a periodic log line, not one line per drop).</summary>
    public long TakeDropped() => Interlocked.Exchange(ref _dropped, 0);

    /// <summary>
    /// Admits a connection from <paramref name="source"/>. <paramref name="drop"/> closes it, and is
    /// called at most once, if it is pushed out before its ticket is disposed. Dispose the ticket
    /// when the connection has authenticated or ended.
    /// </summary>
    public Ticket Admit(string source, Action drop)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(drop);
        var ticket = new Ticket(this, source, drop);
        Ticket? victim;
        lock (_gate)
        {
            victim = _perSource.GetValueOrDefault(source) >= PerSourceCap ? OldestFrom(source)
                : _byAge.Count >= Capacity ? _byAge.First!.Value
                : null;
            if (victim is not null) Remove(victim);
            ticket.Node = _byAge.AddLast(ticket);
            _perSource[source] = _perSource.GetValueOrDefault(source) + 1;
        }
        if (victim is not null)
        {
            Interlocked.Increment(ref _dropped);
            victim.Drop();
        }
        return ticket;
    }

    private Ticket? OldestFrom(string source)
    {
        for (var node = _byAge.First; node is not null; node = node.Next)
        {
            if (node.Value.Source == source) return node.Value;
        }
        return null;
    }

    /// <summary>Takes a ticket out of the budget; false when it was already out. Caller holds the lock.</summary>
    private bool Remove(Ticket ticket)
    {
        if (ticket.Node is null) return false;
        _byAge.Remove(ticket.Node);
        ticket.Node = null;
        int left = _perSource[ticket.Source] - 1;
        if (left == 0) _perSource.Remove(ticket.Source);
        else _perSource[ticket.Source] = left;
        return true;
    }

    private void Release(Ticket ticket)
    {
        lock (_gate) Remove(ticket);
    }

    /// <summary>One admitted connection's place in the budget.</summary>
    public sealed class Ticket : IDisposable
    {
        private const int Pending = 0, Dropped = 1, Completed = 2;
        private readonly PreAuthBudget _budget;
        private readonly Action _drop;
        private int _state;

        internal Ticket(PreAuthBudget budget, string source, Action drop)
        {
            _budget = budget;
            Source = source;
            _drop = drop;
        }

        public string Source { get; }

        /// <summary>True once the connection was pushed out to make room for a newer one.</summary>
        public bool WasDropped => Volatile.Read(ref _state) == Dropped;

        internal LinkedListNode<Ticket>? Node { get; set; }

        /// <summary>
        /// The connection has authenticated: it leaves the budget and can no longer be dropped.
        /// False when it was dropped first (the caller then treats it as closed).
        /// </summary>
        public bool Complete()
        {
            bool completed = Interlocked.CompareExchange(ref _state, Completed, Pending) != Dropped;
            _budget.Release(this);
            return completed;
        }

        internal void Drop()
        {
            if (Interlocked.CompareExchange(ref _state, Dropped, Pending) == Pending) _drop();
        }

        /// <summary>Leaves the budget (the connection ended, or authenticated through <see cref="Complete"/>).</summary>
        public void Dispose() => _budget.Release(this);
    }
}
