"""Command-line conventions of the published binary: for each case, the exit status and the first
line it prints (stdout, or stderr when stdout is empty) must match, run from a work directory with
stdin closed. Then the headless remote REPL, and the commands that talk to a node."""
import glob
import json
import os
import re
import shlex
import signal
import subprocess
import unittest

import harness
from harness import BIN, CLUSTER_SH, EXAMPLES, PROGRAMS, E2ETestCase, first_line, free_ports, iridium, wait_for


class CliTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        with open(os.path.join(EXAMPLES, "hello.iasm")) as f:
            self.write("hello.iasm", f.read())
        os.makedirs(self.path("adir"))
        os.makedirs(self.path("data"))
        self.write("typo.toml", 'node_aliass = "typo"\n')
        self.write("type.json", '{ "server_bind_port": "2254" }\n')
        self.write("bad-alias.toml", 'node_alias = "x\\ny"\n')
        self.write("syntax.toml", 'node_alias = "a"\nserver_bind_port = = 2\n')
        self.write("syntax.json", '{\n  "node_alias": "a",\n  "server_bind_port" 2\n}\n')
        self.write("wrong-cookie", "not-the-cookie\n")

    def expect(self, status, pattern, command):
        """iridium COMMAND (its arguments, split as a shell would), from the work directory: exit
        STATUS and a first line matching PATTERN."""
        args = shlex.split(command)
        with self.subTest(command=command):
            out = iridium(*args, cwd=self.work, timeout=30)
            line = first_line(out)
            self.assertEqual(
                out.returncode,
                status,
                f"iridium {' '.join(args)}: exit {out.returncode}, first line {line!r}; " f"stderr: {out.stderr[:500]}",
            )
            self.assertRegex(line, pattern, f"iridium {' '.join(args)}: first line")

    def test_help_and_version(self):
        self.expect(0, r"^Usage: iridium \[command\]", "-h")
        self.expect(0, r"^Usage: iridium \[command\]", "--help")
        self.expect(0, r"^Usage: iridium \[command\]", "help")
        self.expect(0, r"^Usage: iridium \[command\]", "-r --bind-port 9 -h")
        for command in ("run", "asm", "disasm", "node", "members", "remote", "ping"):
            self.expect(0, f"^Usage: iridium {command} ", f"{command} -h")
            self.expect(0, f"^Usage: iridium {command} ", f"{command} --help")
            self.expect(0, f"^Usage: iridium {command} ", f"help {command}")
        self.expect(0, r"^Usage: iridium run ", "hello.iasm --help")
        self.expect(0, r"^Usage: iridium run ", "run hello.iasm --max-steps 5 -h")
        self.expect(0, r"^iridium 0\.2\.0$", "--version")
        self.expect(0, r"^iridium 0\.2\.0$", "version")
        self.assertRegex(
            iridium("--help").stdout, re.compile(r"^  78 +configuration error", re.M), "--help has no exit-status table"
        )

    def test_file_or_command(self):
        self.expect(0, r"^Hello, world!$", "hello.iasm")
        self.expect(0, r"^Hello, world!$", "hello.iasm --state-json state.json --max-steps 1000")
        self.assertGreater(os.path.getsize(self.path("state.json")), 0, "'iridium FILE --state-json' wrote no state")
        self.expect(0, r"^Hello, world!$", "run hello.iasm --state-json state2.json")

    def test_ctrl_c_during_run_writes_the_state(self):
        # The run stops at an instruction; the state and the output are written; exit 130. SIGINT
        # is sent once the signal handler exists (its thread is named).
        state = self.path("int.json")
        process = self.spawn(
            [BIN, "run", os.path.join(PROGRAMS, "forever.iasm"), "--state-json", state],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

        def handler_ready():
            for comm in glob.glob(f"/proc/{process.pid}/task/*/comm"):
                try:
                    if open(comm).read().startswith(".NET SigHandler"):
                        return True
                except OSError:
                    pass
            return process.poll() is not None

        wait_for(handler_ready, 20, "the run's signal handler thread exists")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
        with open(state) as f:
            kind = json.load(f)["event"]["kind"]
        got = f"{process.returncode} {out.splitlines()[0] if out else '-'} {kind} {err.strip()}"
        self.assertRegex(
            got,
            r"^130 started Interrupted iridium: interrupted at pc=[0-9]+ \(",
            "expected 130, the output, an Interrupted state and one line",
        )

    def test_unknown_commands_and_files(self):
        self.expect(2, r"^iridium: unknown command 'rnu'; did you mean 'run'\?$", "rnu hello.iasm")
        self.expect(2, r"^iridium: unknown command 'membrs'; did you mean 'members'\?$", "membrs 127.0.0.1:1")
        self.expect(2, r"^iridium: unknown command 'nod'; did you mean 'node'\?$", "help nod")
        self.expect(66, r"^iridium: cannot read adir: is a directory$", "adir")
        self.expect(66, r"^iridium: cannot read adir: is a directory$", "run adir")
        self.expect(66, r"^iridium: cannot read missing\.iasm: no such file$", "missing.iasm")
        self.expect(66, r"^iridium: cannot read xyzzy: no such file$", "xyzzy")

    def test_usage_errors(self):
        # Usage errors are 2, for every command.
        self.expect(2, r"^iridium: run: missing FILE", "run")
        self.expect(2, r"^iridium: .*'--no-such-flag' is not recognized", "run hello.iasm --no-such-flag")
        self.expect(2, r"^iridium: .*'--no-such-flag' is not recognized", "hello.iasm --no-such-flag")
        self.expect(2, r"^iridium: .*max-steps.*lots", "run hello.iasm --max-steps lots")
        self.expect(2, r"^iridium: .*'-x' is not recognized", "-x")
        self.expect(2, r"^iridium: --bind-port must be a whole number from 0 to 65535, not 70000$", "--bind-port 70000")
        self.expect(2, r"^iridium: '127\.0\.0\.1' is not HOST:PORT", "members 127.0.0.1")
        self.expect(2, r"^iridium: missing the node to ping", "ping")
        self.expect(
            2, r"^iridium: --server-bind-port must be a whole number from 0 to 65535, not 99999$", "node -P 99999"
        )
        self.expect(2, r"^iridium: --join: seed 'nowhere' is not HOST:PORT or dns:NAME:PORT$", "node --join nowhere")

    def test_unwritable_files_and_unusable_configs(self):
        self.expect(73, r"^iridium: cannot write adir: is a directory$", "asm hello.iasm -o adir")
        self.expect(
            78,
            r"^iridium: typo\.toml: unknown key 'node_aliass'; the keys are node_alias, server_bind_host",
            "node --config typo.toml --data-root-dir data",
        )
        self.expect(
            78,
            r"^iridium: type\.json: 'server_bind_port' must be a whole number from 0 to 65535, "
            r"not the string \"2254\"$",
            "node --config type.json --data-root-dir data",
        )
        self.expect(78, r"^iridium: syntax\.toml:2:20: ", "node --config syntax.toml --data-root-dir data")
        self.expect(78, r"^iridium: syntax\.json:3:22: ", "node --config syntax.json --data-root-dir data")
        self.expect(
            78, r"^iridium: config file node\.conf: the name must end in \.toml or \.json", "node --config node.conf"
        )

    def test_aliases_and_ranges(self):
        # Aliases: letters, digits, - _ . only (a flag is a usage error, a config file a config error).
        self.expect(
            2,
            r"^iridium: node alias 'a b' is not valid: it contains U\+0020",
            "node --node-alias 'a b' --data-root-dir data",
        )
        self.expect(
            78,
            r"^iridium: bad-alias\.toml with the flags: node alias 'x\\u000Ay' is not valid",
            "node --config bad-alias.toml --data-root-dir data",
        )
        self.expect(
            2,
            r"^iridium: --down-retention-ms must be a whole number of at least 0, not -1",
            "node --down-retention-ms -1 --data-root-dir data",
        )
        self.expect(
            2,
            r"^iridium: --max-heap-bytes must be a whole number of at least 16777216, not 1000",
            "run hello.iasm --max-heap-bytes 1000",
        )

    def test_cluster_sh_usage(self):
        # The tools' usage texts are their header comments, nothing more.
        out = subprocess.run([CLUSTER_SH], capture_output=True, text=True, timeout=30)
        text = out.stdout + out.stderr
        self.assertEqual(out.returncode, 2, f"tools/cluster.sh usage: {text}")
        self.assertIn("tools/cluster.sh start N", text)
        self.assertNotIn("set -e", text, "stray code in the usage text")

    def test_headless_remote_repl(self):
        # 'iridium -r' with no terminal on stdin serves until SIGTERM, then exits 0.
        port = free_ports(1)
        data = self.path("data")
        repl = self.start("-r", "-p", str(port), log="repl", data_root=data)

        def logged_in():
            out = iridium(
                "remote", f"127.0.0.1:{port}", "-c", "load $1 #7", "-c", "!registers", data_root=data, timeout=30
            )
            return out if out.returncode == 0 else None

        out = wait_for(logged_in, 20, "the headless remote REPL serves")
        self.assertRegex(out.stdout, r"\$1 = 7", "iridium -r </dev/null serves: remote -c logs in and runs lines")
        self.assertIn(
            "info: stdin is not a terminal: serving the remote REPL until SIGINT or SIGTERM", self.read("repl.log")
        )
        self.assertEqual(harness.stop(repl), 0, "SIGTERM stops the headless remote REPL with exit 0")
        self.assertTrue(harness.log_lines_are_ours(self.path("repl.log")), "headless remote REPL log lines are ours")

    def test_node_commands(self):
        # One node on a free port, serving the remote REPL too.
        base = free_ports(2)
        port, rport = base, base + 1
        data = self.path("data")
        node = self.start(
            "node", "--node-alias", "cli-test", "-P", str(port), "-r", "-p", str(rport), log="node", data_root=data
        )
        wait_for(
            lambda: harness.members(f"127.0.0.1:{port}", data_root=data, timeout_ms=500) is not None,
            20,
            "the test node starts",
        )
        self.expect(
            69,
            rf"^iridium: cannot listen on 127\.0\.0\.1:{port} \(cluster\): address already in use .*--port-search",
            f"node -P {port} --data-root-dir data",
        )
        self.expect(
            0,
            r"^ALIAS +NODE-ID +HOST:PORT +STATUS +LAST-SEEN-MS +DOWN-SINCE-MS +REASON$",
            f"members 127.0.0.1:{port} --data-root-dir data",
        )
        rows = iridium("members", f"127.0.0.1:{port}", data_root=data).stdout.splitlines()
        self.assertRegex(
            rows[1] if len(rows) > 1 else "",
            rf"^cli-test +[0-9a-f-]{{36}} +127\.0\.0\.1:{port} +self +0 +- +-$",
            "iridium members: the row under the header",
        )
        self.expect(
            0,
            rf"^reply from cli-test \(127\.0\.0\.1:{port}\): seq=1 bytes=64 time=",
            f"ping 127.0.0.1:{port} --size 64 --count 2 --data-root-dir data",
        )
        self.expect(
            77,
            rf"^iridium: 127\.0\.0\.1:{port}: authentication failed: wrong cluster cookie",
            f"ping 127.0.0.1:{port} --cookie-file wrong-cookie",
        )
        self.expect(
            77,
            rf"^iridium: 127\.0\.0\.1:{port}: authentication failed: wrong cluster cookie",
            f"members 127.0.0.1:{port} --cookie-file wrong-cookie",
        )
        self.assertRegex(
            self.read("node.log"),
            re.compile(rf"^[0-9-]+T[0-9:.]+Z info: remote REPL listening on 127\.0\.0\.1:{rport} ", re.M),
            "node -r logs that it serves the remote REPL",
        )
        harness.stop(node)
        self.assertTrue(harness.log_lines_are_ours(self.path("node.log")), "node log lines are ours (no event numbers)")
        self.expect(
            69,
            rf"^iridium: cannot connect to 127\.0\.0\.1:{port}",
            f"members 127.0.0.1:{port} --data-root-dir data --timeout-ms 2000",
        )
        # The node started without --node-alias (address in use) named itself in the data root, not here.
        node_id = os.path.join(data, ".node_id")
        self.assertTrue(os.path.exists(node_id) and os.path.getsize(node_id) > 0, "no .node_id in the data root")
        self.assertFalse(os.path.exists(self.path(".node_id")), ".node_id written into the working directory")


if __name__ == "__main__":
    unittest.main()
