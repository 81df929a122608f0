"""The README as a newcomer uses it: each line of the block marked "readme-test: commands" runs
from the repository root and succeeds, leaving no new or changed file behind (outputs go to the
ignored artifacts/ or to stdout); the guided tour, typed line by line into the REPL in a real
terminal, shows exactly what the README shows."""
import os
import re
import shlex
import subprocess
import unittest

from harness import BIN, ROOT, E2ETestCase, Tmux, iridium, wait_for

README = os.path.join(ROOT, "README.md")


def fenced_block_after(marker):
    """The lines of the first fenced block after the line starting with MARKER."""
    lines = open(README).read().splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(marker)), None)
    if start is None:
        return None
    block, inside = [], False
    for line in lines[start + 1 :]:
        if line.startswith("```"):
            if inside:
                break
            inside = True
        elif inside:
            block.append(line)
    return block


def git_state():
    out = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout if out.returncode == 0 else "not a git work tree"


class ReadmeTests(E2ETestCase):
    def test_commands(self):
        commands = fenced_block_after("<!-- readme-test: commands")
        self.assertTrue(commands, "no 'readme-test: commands' block in README.md")
        before = git_state()
        outputs = []
        for line in commands:
            words = shlex.split(line.split("#", 1)[0])
            with self.subTest(line=line):
                self.assertEqual(
                    words[0] if words else "",
                    "artifacts/iridium",
                    f"README command does not start with artifacts/iridium: {line}",
                )
                out = iridium(*words[1:], cwd=ROOT)
                outputs.append(out.stdout)
                self.assertEqual(out.returncode, 0, f"{line}: exit {out.returncode}; stderr: {out.stderr}")
        # What the comments promise.
        self.assertGreaterEqual(len(outputs), 6, "the README has fewer commands than this test checks")
        self.assertIn("6765", outputs[0].splitlines(), "fib did not print 6765")
        self.assertIn('"event":{"kind":"GracefulStop","code":0}', outputs[1], "--state-json - printed no state")
        self.assertRegex(outputs[5], re.compile(r"^fib:$", re.M), "disasm of source lost the label fib")
        self.assertEqual(git_state(), before, "the README's commands left files behind")

    def test_guided_tour(self):
        tour = fenced_block_after("<!-- readme-test: guided tour")
        self.assertTrue(
            tour and tour[0] == "$ artifacts/iridium",
            "README: no guided tour block starting with '$ artifacts/iridium'",
        )
        expected = tour[1:]
        terminal = Tmux(self.work)
        self.addCleanup(terminal.close)
        terminal.start("tour", BIN, "--data-root-dir", self.path("tour-data"))
        terminal.wait_last(">>>")
        prompts = 1
        seen = []
        for line in expected:
            if line == ">>> !quit":
                # The screen before leaving (what leaving adds is checked on its own: tmux may
                # scroll when it marks the pane dead).
                seen = terminal.screen().rstrip("\n").split("\n")
                while seen and not seen[-1]:
                    seen.pop()
                seen = seen[:-1]
                terminal.type_line("!quit")
                self.assertEqual(terminal.exit_status(), 0, "tour: !quit")
                lines = terminal.lines()
                at = lines.index(">>> !quit") if ">>> !quit" in lines else None
                self.assertIsNotNone(at, "tour: '>>> !quit' is not on the screen")
                seen += lines[at : at + 2]
            elif line.startswith(">>> "):
                terminal.type_line(line[4:])
                prompts += 1
                wait_for(
                    lambda: sum(1 for s in terminal.lines() if s.startswith(">>>")) >= prompts
                    and terminal.last_line() == ">>>",
                    10,
                    f"tour: the prompt after {line!r}",
                )
        self.assertEqual(seen, expected, "the guided tour differs from the README")


if __name__ == "__main__":
    unittest.main()
