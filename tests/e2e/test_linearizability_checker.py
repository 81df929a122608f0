"""The checker the store's fault tests use (linearizability.py), on histories whose answer is known
by hand (the same file the in-process checker's tests read, so both give the same answers) and on
histories generated from a sequential run, which must pass, and fail once one read is broken."""
import json
import os
import random
import unittest

import linearizability
from harness import ROOT

KNOWN = os.path.join(ROOT, "tests", "Iridium.Store.Tests", "Linearizability", "histories.json")


class LinearizabilityCheckerTests(unittest.TestCase):
    def test_known_histories_get_their_known_answers(self):
        with open(KNOWN) as f:
            cases = json.load(f)["cases"]
        self.assertGreater(len(cases), 10)
        for case in cases:
            with self.subTest(case["name"]):
                verdict = linearizability.check(case["history"])
                self.assertEqual(verdict is None, case["linearizable"], case["name"])

    def test_a_verdict_names_the_key_and_its_operations(self):
        history = [
            {"client": 0, "key": "x", "kind": "put", "call": 0, "return": 10, "value": "1"},
            {"client": 1, "key": "y", "kind": "put", "call": 20, "return": 30, "value": "2"},
            {"client": 1, "key": "y", "kind": "get", "call": 40, "return": 50, "observed": None},
        ]
        key, ops = linearizability.check(history)
        self.assertEqual(key, "y")
        self.assertEqual([linearizability.describe(op) for op in ops], ["c1 put y = 2 [20, 30]", "c1 get y -> absent [40, 50]"])

    def test_histories_of_a_sequential_run_with_widened_intervals(self):
        # Each operation really happens at one instant of a sequential run; its observed interval
        # is widened around that instant at random, which overlaps many of them.
        rng = random.Random(12345)
        for round_ in range(50):
            state, ops = None, []
            for t in range(60):
                at = t * 10
                op = {"client": rng.randrange(6), "key": "k", "call": at - rng.randrange(40), "return": at + rng.randrange(40)}
                kind = rng.randrange(4)
                if kind == 0:
                    op.update(kind="get", observed=state)
                elif kind == 1:
                    state = f"v{t}"
                    op.update(kind="put", value=state)
                elif kind == 2:
                    expected = state if rng.randrange(2) == 0 else "nope"
                    swapped = expected == state
                    op.update(kind="cas", expected=expected, value=f"c{t}", succeeded=swapped)
                    if swapped:
                        state = f"c{t}"
                else:
                    op.update(kind="del", succeeded=state is not None)
                    state = None
                ops.append(op)
            self.assertIsNone(linearizability.check(ops), f"round {round_}")
            gets = [op for op in ops if op["kind"] == "get"]
            if gets:
                gets[0]["observed"] = "never-written"
                self.assertIsNotNone(linearizability.check(ops), f"round {round_}, broken")


if __name__ == "__main__":
    unittest.main()
