"""Decides whether a concurrent history of key-value operations is linearizable: whether each
operation can be given one instant between its call and its return so that, in that order, every
output is what a register (absent, or holding a string) would give.

This is the checker of tests/Iridium.Store.Tests/Linearizability (LinearizabilityChecker.cs and
RegisterModel.cs), step for step, so that histories recorded from the published binary are judged
exactly as the in-process ones are; both run the histories of
tests/Iridium.Store.Tests/Linearizability/histories.json and must give the answers written there.
The Wing-Gong search with Lowe's memoization (as Porcupine and Knossos do it): walk the events in
time order; at a call, try to linearize that operation now; at a return whose operation is not
linearized yet, undo the last choice. A (set of linearized operations, state) pair already seen is
not explored again. Keys are independent (Herlihy and Wing's locality), so each key is checked on
its own. An operation that never returned (return None) may be left out: it may never have taken
effect, or it may have taken effect at any time after its call.

An operation is a dict: client, key, kind ("get", "put", "del", "cas"), call, return (None when
it never returned a definite answer), value (put, cas: the new value), expected (cas: None means
"the key must be absent"), observed (get: None means absent), succeeded (del: the key existed;
cas: it swapped).
"""


def step(state, op):
    """Whether OP, taking effect on STATE, could have given the output observed; and the state after."""
    kind = op["kind"]
    indeterminate = op.get("return") is None
    if kind == "get":
        return op.get("observed") == state, state
    if kind == "put":
        return True, op["value"]
    if kind == "del":
        return indeterminate or op.get("succeeded", False) == (state is not None), None
    expected = op.get("expected")
    matches = state is None if expected is None else expected == state
    after = op["value"] if matches else state
    return indeterminate or matches == op.get("succeeded", False), after


class _Event:
    __slots__ = ("op", "is_call", "time", "match", "prev", "next")

    def __init__(self, op, is_call, time):
        self.op, self.is_call, self.time = op, is_call, time
        self.match = self.prev = self.next = None


def _lift(call):
    call.prev.next = call.next
    if call.next is not None:
        call.next.prev = call.prev
    ret = call.match
    if ret is not None:
        ret.prev.next = ret.next
        if ret.next is not None:
            ret.next.prev = ret.prev


def _unlift(call):
    ret = call.match
    if ret is not None:
        ret.prev.next = ret
        if ret.next is not None:
            ret.next.prev = ret
    call.prev.next = call
    if call.next is not None:
        call.next.prev = call


class Undecided(Exception):
    """The search took more steps than it was allowed: the history is too large or too uncertain
    (many operations that never returned) to decide in time."""


def check_key(ops, budget=None):
    """Whether the operations on one key are linearizable; Undecided after BUDGET steps."""
    events = []
    for i, op in enumerate(ops):
        call = _Event(i, True, op["call"])
        events.append(call)
        if op.get("return") is None:
            continue
        ret = _Event(i, False, op["return"])
        ret.match, call.match = call, ret
        events.append(ret)
    # In time order; at one instant calls before returns (operations that touch are concurrent).
    events.sort(key=lambda e: (e.time, 0 if e.is_call else 1))
    head = _Event(-1, False, None)
    tail = head
    for e in events:
        tail.next, e.prev = e, tail
        tail = e

    linearized = 0  # a bit per operation
    seen = set()
    stack = []
    state = None
    entry = head.next
    steps = 0
    while head.next is not None:
        steps += 1
        if budget is not None and steps > budget:
            raise Undecided(f"no answer within {budget} steps on {len(ops)} operations")
        if entry is None:
            return True  # only never-returned operations are left: they need not have happened
        if entry.is_call:
            ok, after = step(state, ops[entry.op])
            if ok:
                bits = linearized | (1 << entry.op)
                if (bits, after) not in seen:
                    seen.add((bits, after))
                    stack.append((entry, state))
                    linearized, state = bits, after
                    _lift(entry)
                    entry = head.next
                    continue
            entry = entry.next
        else:
            if not stack:
                return False
            call, state = stack.pop()
            linearized &= ~(1 << call.op)
            _unlift(call)
            entry = call.next
    return True


def check(history, budget=None):
    """None when HISTORY is linearizable, else (key, that key's operations in call order).
    Undecided when a key's search takes more than BUDGET steps."""
    by_key = {}
    for op in history:
        by_key.setdefault(op["key"], []).append(op)
    for key, ops in by_key.items():
        if not check_key(ops, budget):
            return key, sorted(ops, key=lambda o: o["call"])
    return None


def describe(op):
    """One operation as a line of a failure's report."""
    kind, returned = op["kind"], op.get("return")
    outcome = {
        "get": lambda: f"-> {op.get('observed') or 'absent'}",
        "put": lambda: f"= {op['value']}",
        "del": lambda: f"-> {op.get('succeeded')}",
        "cas": lambda: f"{op.get('expected') or 'absent'} -> {op['value']}: {'?' if returned is None else op.get('succeeded')}",
    }[kind]()
    return f"c{op['client']} {kind} {op['key']} {outcome} [{op['call']}, {'inf' if returned is None else returned}]"
