namespace Iridium.Net;

/// <summary>
/// The connections a server holds before they have authenticated, kept apart from everything an
/// authenticated user needs. At most <see cref="Capacity"/> at once and at most
/// <see cref="PerSourceCap"/> from one source address. When its address's share (or the whole
/// budget) is full, a new connection pushes out a stalled one of that address (or overall): first
/// the oldest that sent part of something and stopped (a correct client sends nothing until it
/// has its whole answer), then the oldest that has sent nothing for longer than an answer takes,
/// and only then the oldest of those just challenged. A connection whose whole answer has
/// arrived is completing its login and is never pushed out (under a flood the server may take a
/// while to read it); when every connection in the way is answering, the newcomer is the one
/// dropped. What a connection is doing is asked of the owner (<see cref="LoginActivity"/>). A flood from one address therefore only
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
    /// when the connection has authenticated or ended. <paramref name="activity"/>, when given,
    /// says what the connection is doing (it must not block: it is asked under the budget's lock);
    /// without it every connection counts as silent.
    /// </summary>
    public Ticket Admit(string source, Action drop, Func<LoginActivity>? activity = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(drop);
        var ticket = new Ticket(this, source, drop, activity);
        Ticket? victim;
        lock (_gate)
        {
            bool full = _perSource.GetValueOrDefault(source) >= PerSourceCap;
            victim = full ? OldestStalled(source)
                : _byAge.Count >= Capacity ? OldestStalled(null)
                : null;
            if (victim is not null) Remove(victim);
            if (victim is not null || (!full && _byAge.Count < Capacity))
            {
                ticket.Node = _byAge.AddLast(ticket);
                _perSource[source] = _perSource.GetValueOrDefault(source) + 1;
            }
            else
            {
                // Every connection in the way is answering: the newcomer waits its turn outside.
                victim = ticket;
            }
        }
        if (victim is not null)
        {
            Interlocked.Increment(ref _dropped);
            victim.Drop();
        }
        return ticket;
    }

    /// <summary>The connection (of <paramref name="source"/>, or of any address) to push out: the oldest partial one, else the oldest silent one. Caller holds the lock.</summary>
    private Ticket? OldestStalled(string? source)
    {
        Ticket? silent = null, waiting = null;
        for (var node = _byAge.First; node is not null; node = node.Next)
        {
            if (source is not null && node.Value.Source != source) continue;
            switch (node.Value.Activity)
            {
                case LoginActivity.Partial: return node.Value;
                case LoginActivity.Silent: silent ??= node.Value; break;
                case LoginActivity.Waiting: waiting ??= node.Value; break;
            }
        }
        return silent ?? waiting;
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
        private readonly Func<LoginActivity>? _activity;
        private int _state;

        internal Ticket(PreAuthBudget budget, string source, Action drop, Func<LoginActivity>? activity)
        {
            _budget = budget;
            Source = source;
            _drop = drop;
            _activity = activity;
        }

        public string Source { get; }

        /// <summary>True once the connection was pushed out to make room for a newer one.</summary>
        public bool WasDropped => Volatile.Read(ref _state) == Dropped;

        internal LoginActivity Activity => _activity?.Invoke() ?? LoginActivity.Silent;

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

/// <summary>What an unauthenticated connection is doing, for choosing which one to push out.</summary>
public enum LoginActivity
{
    /// <summary>It has sent nothing for longer than a prompt answer takes.</summary>
    Silent,
    /// <summary>It was challenged a moment ago and has sent nothing yet: a correct client's answer may be on its way.</summary>
    Waiting,
    /// <summary>It sent part of something and stopped: not what a correct client does.</summary>
    Partial,
    /// <summary>Its whole answer has arrived and waits to be read: it is completing its login.</summary>
    Answering,
}
