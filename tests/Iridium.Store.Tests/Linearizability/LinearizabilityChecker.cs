namespace Iridium.Store.Tests.Linearizability;

/// <summary>
/// Decides whether a concurrent history of key-value operations is linearizable: whether each
/// operation can be given one instant between its call and its return so that, in that order, every
/// output is what <see cref="RegisterModel"/> gives. This is the Wing-Gong search with Lowe's
/// memoization, as Porcupine and Knossos do it: walk the events in time order; at a call, try to
/// linearize that operation now (apply it to the model, take its call and return out of the list);
/// at a return whose operation is not linearized yet, undo the last choice. A (set of linearized
/// operations, model state) pair already seen is not explored again, which keeps the search
/// polynomial on the histories a store produces. Keys are independent, so each key's operations are
/// checked on their own (Herlihy and Wing's locality). Operations that never returned may be left
/// out: they may never have taken effect.
/// </summary>
public static class LinearizabilityChecker
{
    public sealed record Verdict(bool Linearizable, string? Key, IReadOnlyList<Operation> Unexplained)
    {
        public override string ToString() => Linearizable
            ? "linearizable"
            : $"not linearizable on key {Key}: no order explains\n  " + string.Join("\n  ", Unexplained);
    }

    public static Verdict Check(IEnumerable<Operation> history)
    {
        foreach (var group in history.GroupBy(op => op.Key))
        {
            var ops = group.ToList();
            if (!CheckKey(ops)) return new Verdict(false, group.Key, ops.OrderBy(o => o.Call).ToList());
        }
        return new Verdict(true, null, []);
    }

    private sealed class Event(int op, bool isCall, long time)
    {
        public int Op { get; } = op;
        public bool IsCall { get; } = isCall;
        public long Time { get; } = time;
        public Event? Match { get; set; }
        public Event? Prev { get; set; }
        public Event? Next { get; set; }
    }

    private static bool CheckKey(List<Operation> ops)
    {
        // Events in time order; at one instant calls come before returns (operations that touch
        // count as concurrent, the more permissive reading).
        var events = new List<Event>();
        for (var i = 0; i < ops.Count; i++)
        {
            var call = new Event(i, true, ops[i].Call);
            events.Add(call);
            if (ops[i].Indeterminate) continue;
            var ret = new Event(i, false, ops[i].Return) { Match = call };
            call.Match = ret;
            events.Add(ret);
        }
        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : b.IsCall.CompareTo(a.IsCall));
        var head = new Event(-1, false, long.MinValue);
        var tail = head;
        foreach (var e in events)
        {
            tail.Next = e;
            e.Prev = tail;
            tail = e;
        }

        var linearized = new ulong[(ops.Count + 63) / 64];
        var seen = new HashSet<(string Bits, string? State)>();
        var stack = new Stack<(Event Call, string? State)>();
        string? state = null;
        var entry = head.Next;
        while (head.Next is not null)
        {
            if (entry is null) return true; // only never-returned operations are left: they need not have happened
            if (entry.IsCall)
            {
                if (RegisterModel.Step(state, ops[entry.Op], out var next))
                {
                    Set(linearized, entry.Op, true);
                    if (seen.Add((Bits(linearized), next)))
                    {
                        stack.Push((entry, state));
                        state = next;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }
                    Set(linearized, entry.Op, false);
                }
                entry = entry.Next;
            }
            else
            {
                if (stack.Count == 0) return false;
                var (call, before) = stack.Pop();
                state = before;
                Set(linearized, call.Op, false);
                Unlift(call);
                entry = call.Next;
            }
        }
        return true;
    }

    private static void Lift(Event call)
    {
        call.Prev!.Next = call.Next;
        if (call.Next is not null) call.Next.Prev = call.Prev;
        if (call.Match is { } ret)
        {
            ret.Prev!.Next = ret.Next;
            if (ret.Next is not null) ret.Next.Prev = ret.Prev;
        }
    }

    private static void Unlift(Event call)
    {
        if (call.Match is { } ret)
        {
            ret.Prev!.Next = ret;
            if (ret.Next is not null) ret.Next.Prev = ret;
        }
        call.Prev!.Next = call;
        if (call.Next is not null) call.Next.Prev = call;
    }

    private static void Set(ulong[] bits, int i, bool on)
    {
        if (on) bits[i / 64] |= 1UL << (i % 64);
        else bits[i / 64] &= ~(1UL << (i % 64));
    }

    private static string Bits(ulong[] bits) => Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(bits.AsSpan()));
}
