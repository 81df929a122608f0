"""The interactive front ends under a real terminal: tmux runs the published binary, send-keys types,
and capture-pane reads the screen. The console REPL: banner and hint, prompt, typed assembly,
cursor editing, history (also across sessions), Ctrl-L, the 'quit' hint, Ctrl-C on a line and
during an endless program (which stops; registers stay), Ctrl-D, piped mode, a failed remote login
reported above the edited line. `iridium remote`: the same editor, Ctrl-C interrupting the remote
program while the session goes on, and Up recalling this server's history, also in the next
session. (The README's guided tour is test_readme.)"""
import os
import re
import shutil
import time
import unittest

import harness
from harness import BIN, PROGRAMS, E2ETestCase, Tmux, free_port, iridium, wait_for

SPIN = os.path.join(PROGRAMS, "spin.iasm")
INTERRUPTED = r"^interrupted at pc=(97|101) \((INC \$7|DJMPE #97)\)$"


class TerminalTestCase(E2ETestCase):
    def setUp(self):
        super().setUp()
        if shutil.which("tmux") is None:
            self.skipTest("needs tmux")
        self.terminal = Tmux(self.work)
        self.addCleanup(self.terminal.close)

    def interrupt(self, pattern=INTERRUPTED):
        """Ctrl-C until the screen shows PATTERN: a key typed while the line was still being taken
        could reach the editor, not the running program."""
        t = self.terminal
        for _ in range(3):
            t.keys("C-c")
            try:
                t.wait_line(pattern, seconds=5)
                return
            except AssertionError:
                pass
        t.wait_line(pattern, seconds=5)

    def recalls_in_new_session(self, session, line, *command):
        """Ends SESSION and starts COMMAND in its place: Up must recall LINE (the last session's
        history), and !quit must end it with status 0."""
        t = self.terminal
        t.end(session)
        t.start(session, *command)
        t.wait_last(">>>")
        t.keys("Up")
        t.wait_shows(f">>> {line}")
        t.keys("C-u")
        t.type_line("!quit")
        t.wait_shows("Farewell! Have a great day!")
        self.assertEqual(t.exit_status(), 0, "!quit exits 0")
        t.end(session)


class ConsoleReplTests(TerminalTestCase):
    def start_repl(self, *extra):
        self.terminal.start("repl", BIN, "--data-root-dir", self.path("data"), *extra)

    def test_banner_editing_and_keys(self):
        t = self.terminal
        self.start_repl()
        t.wait_shows("Welcome to Iridium! Let's be productive!")
        t.wait_line(r"^iridium [0-9.]+: !help lists commands and instructions; !quit or Ctrl-D quits$")
        t.wait_last(">>>")

        t.type_line("load $0 #42")
        t.type_line("!registers")
        t.wait_shows("$0 = 42")

        # Cursor editing: type "nc $1", Home, insert "i" -> "inc $1"; then "load $2 #79", Left, Backspace -> "#9".
        t.type("nc $1")
        t.keys("Home")
        t.type("i")
        t.keys("Enter")
        t.type("load $2 #79")
        t.keys("Left", "BSpace", "End")
        t.keys("Enter")
        t.type_line("!registers")
        t.wait_line(r"\$1 = +1 ")
        t.wait_line(r"\$2 = +9 ")

        # Ctrl-L clears the screen: the prompt is on the first line, what was above it is gone.
        t.type("half typed")
        t.keys("C-l")
        t.wait_first(">>> half typed")
        self.assertNotIn("Welcome", t.screen(), "Ctrl-L keeps what was above the prompt")
        t.keys("C-u")

        # Up recalls the previous line (!registers); Enter runs it again.
        t.keys("Up")
        t.wait_shows(">>> !registers")
        t.keys("Enter")
        t.wait_shows("equal flag")

        # Habit: 'quit' is not an instruction; it gets a hint, and the REPL goes on.
        t.keys("C-l")
        t.type_line("quit")
        t.wait_shows("to leave, type !quit (or press Ctrl-D)")
        t.wait_last(">>>")
        self.assertNotIn("unknown mnemonic", t.screen())

        # Ctrl-C abandons the line: nothing runs, a fresh prompt follows.
        t.keys("C-l")
        t.type("load $3 #5")
        t.keys("C-c")
        t.wait_shows("^C")
        t.wait_last(">>>")
        t.type_line("!history")
        t.wait_line(r"^ *[0-9]+  !history$")
        self.assertNotRegex(t.screen(), re.compile(r"^ *[0-9]+  load \$3 #5", re.M), "the cancelled line was run")

        t.type_line("!frob")
        t.wait_shows("unknown command !frob")

        # Ctrl-D on an empty line ends the REPL with status 0, with the farewell !quit prints.
        t.keys("C-d")
        t.wait_shows("Farewell! Have a great day!")
        self.assertEqual(t.exit_status(), 0, "Ctrl-D exits 0")

    def test_history_across_sessions(self):
        t = self.terminal
        self.start_repl()
        t.wait_last(">>>")
        t.type_line("load $0 #42")
        t.type_line("!frob")
        t.wait_shows("unknown command !frob")
        t.keys("C-d")
        self.assertEqual(t.exit_status(), 0, "Ctrl-D exits 0")
        with open(self.path("data", "history")) as f:
            self.assertIn("load $0 #42", f.read(), "history file written")
        # A new session recalls the last session's lines.
        self.recalls_in_new_session("repl", "!frob", BIN, "--data-root-dir", self.path("data"))

    def test_ctrl_c_stops_an_endless_program(self):
        # Ctrl-C during an endless program stops it at an instruction; registers and program stay.
        t = self.terminal
        self.start_repl()
        t.wait_last(">>>")
        t.type_line(f"!load_file {SPIN}")
        t.wait_shows("spinning")
        self.interrupt()
        t.wait_last(">>>")
        t.keys("C-l")
        t.type_line("!registers")
        t.wait_line(r"\$5 = +77 ")
        t.wait_line(r"\$7 = +[1-9][0-9]*( |$)")
        t.keys("C-l")
        t.type_line("!symbols")
        t.wait_line(r"^  top +97  code address")
        # !continue resumes the interrupted program; Ctrl-C stops it again.
        t.keys("C-l")
        t.type_line("!continue")
        time.sleep(0.5)  # not an assertion: gives the line time to be taken before the key
        self.interrupt(r"^interrupted at pc=(97|101) ")
        t.wait_shows("(!continue resumes it)")
        t.wait_last(">>>")

    def test_piped_input_has_no_prompts(self):
        out = iridium(data_root=self.path("data"), input="load $4 #3\n!registers\n")
        self.assertIn("$4 = 3", out.stdout)
        self.assertNotIn(">>>", out.stdout)
        self.assertNotIn("Welcome", out.stdout)

    def test_failed_remote_login_is_reported_above_the_line(self):
        # A failed remote login while the console's user types: reported above the line, which stays intact.
        t = self.terminal
        port = free_port()
        self.start_repl("-r", "-p", str(port))
        t.wait_last(">>>")
        t.type("load $1 #12")
        t.wait_last(">>> load $1 #12")
        wrong = self.write("wrong-cookie", "not-the-cookie\n")
        iridium("remote", f"127.0.0.1:{port}", "--cookie-file", wrong, "-c", "hlt")
        t.wait_line(r"^iridium: remote session 127\.0\.0\.1:[0-9]+: authentication failed$")
        t.wait_last(">>> load $1 #12")
        t.keys("C-u")
        t.type_line("!quit")
        self.assertEqual(t.exit_status(), 0, "console with -r: !quit")


class RemoteClientTests(TerminalTestCase):
    def test_remote_session(self):
        # iridium remote: the console's editor, Ctrl-C interrupting the remote program, history per server.
        t = self.terminal
        port = free_port()
        data = self.path("rdata")
        os.makedirs(os.path.join(data, "programs"))
        shutil.copy(SPIN, os.path.join(data, "programs", "spin.iasm"))
        server = self.start("-r", "-p", str(port), "--max-steps", "100000000000", log="server", data_root=data)
        wait_for(lambda: "serving the remote REPL" in self.read("server.log"), 20, "the headless server serves")
        t.start("remote", BIN, "remote", f"127.0.0.1:{port}", "--data-root-dir", data)
        t.wait_shows("Welcome to Iridium! Let's be productive!")
        t.wait_line(r"^iridium [0-9.]+: !help")
        t.wait_last(">>>")
        t.type("nc $1")
        t.keys("Home")
        t.type("i")
        t.keys("C-e")
        t.keys("Enter")
        t.type_line("!load_file spin.iasm")
        t.wait_shows("spinning")
        self.interrupt()
        t.wait_last(">>>")
        t.type("half typed")
        t.keys("C-l")
        t.wait_first(">>> half typed")
        self.assertNotIn("spinning", t.screen(), "remote: Ctrl-L keeps what was above the prompt")
        t.keys("C-u")
        t.type_line("!registers")
        t.wait_line(r"\$1 = +1 ")
        t.wait_line(r"\$5 = +77 ")
        t.keys("C-l")
        t.keys("Up")
        t.wait_shows(">>> !registers")
        t.keys("Up")
        t.wait_shows(">>> !load_file spin.iasm")
        t.keys("C-u", "C-d")
        self.assertEqual(t.exit_status(), 0, "remote: Ctrl-D ends the session, exit 0")
        history = os.path.join(data, f"history-remote-127.0.0.1-{port}")
        self.assertTrue(os.path.exists(history), f"remote: no history file {history}")
        with open(history) as f:
            self.assertIn("!load_file spin.iasm", f.read().splitlines(), "remote: history kept per server")
        self.recalls_in_new_session("remote", "!registers", BIN, "remote", f"127.0.0.1:{port}", "--data-root-dir", data)
        self.assertEqual(harness.stop(server), 0, "the headless server stops on SIGTERM with 0")


if __name__ == "__main__":
    unittest.main()
