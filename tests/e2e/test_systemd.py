"""The systemd unit: `systemd-analyze verify` accepts tools/systemd/iridium.service with no warning
(skipped, saying so, where systemd-analyze is missing); it has the settings the deployment relies
on; the node runs as its ExecStart says with the example node.toml, and with JOURNAL_STREAM set its
log lines are "<N>level: message" (journald's priority, no timestamp)."""
import os
import re
import shutil
import socket
import subprocess
import unittest

import harness
from harness import BIN, ROOT, E2ETestCase, free_port, wait_for

UNIT = os.path.join(ROOT, "tools", "systemd", "iridium.service")
NODE_TOML = os.path.join(ROOT, "tools", "systemd", "node.toml")


class SystemdUnitTests(E2ETestCase):
    def test_unit_settings(self):
        lines = open(UNIT).read().splitlines()
        for setting in (
            "Type=exec",
            "DynamicUser=yes",
            "StateDirectory=iridium",
            "ProtectSystem=strict",
            "NoNewPrivileges=yes",
            "PrivateTmp=yes",
            "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
            "Restart=on-failure",
        ):
            self.assertIn(setting, lines, f"the unit lacks {setting}")
        exec_start = [line[len("ExecStart=") :] for line in lines if line.startswith("ExecStart=")]
        self.assertEqual(
            exec_start,
            ["/usr/local/bin/iridium node --config /etc/iridium/node.toml --data-root-dir ${STATE_DIRECTORY}"],
        )

    def test_systemd_analyze_verify(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze is not installed; the unit was not verified (apt-get install systemd)")
        # verify checks that ExecStart's binary exists: point it at the one under test.
        unit = self.write("iridium.service", open(UNIT).read().replace("/usr/local/bin/iridium", BIN))
        out = subprocess.run([analyze, "verify", unit], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, f"systemd-analyze verify: {out.stdout}{out.stderr}")
        self.assertEqual(out.stdout + out.stderr, "", "systemd-analyze verify warns")


class JournalLogTests(E2ETestCase):
    def test_journal_stream_lines(self):
        # ExecStart as systemd runs it (the example config; this host's loopback and a free port), with
        # stderr a socket and JOURNAL_STREAM naming it, as journald's stream is.
        port = free_port()
        state = self.path("state")
        os.mkdir(state, 0o700)
        ours, theirs = socket.socketpair()
        self.addCleanup(ours.close)
        st = os.fstat(theirs.fileno())
        env = dict(os.environ, STATE_DIRECTORY=state, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}", IRIDIUM_COOKIE="")
        address = ["-H", "127.0.0.1", "-P", str(port), "--advertise-host", "127.0.0.1"]
        node = self.start(
            "node", "--config", NODE_TOML, "--data-root-dir", state, *address, stderr=theirs.fileno(), env=env
        )
        theirs.close()
        text = b""
        ours.settimeout(0.5)

        def listening():
            nonlocal text
            try:
                text += ours.recv(4096)
            except socket.timeout:
                pass
            return b"listening on" in text or node.poll() is not None

        wait_for(listening, 30, "the node logs 'listening on'", interval=0)
        self.assertEqual(harness.stop(node), 0, "the node's status on SIGTERM")
        ours.settimeout(2)
        try:
            while chunk := ours.recv(4096):
                text += chunk
        except (socket.timeout, OSError):
            pass
        log = text.decode(errors="replace")
        self.assertRegex(
            log,
            re.compile(rf"^<6>info: listening on 127\.0\.0\.1:{port} as node1 .*$", re.M),
            "no journald-style 'listening' line",
        )
        for line in log.splitlines():
            self.assertRegex(
                line, r"^<[0-7]>(debug|info|warn|error|critical): ", "a log line without a syslog priority"
            )
        cookie = os.path.join(state, "cookie")
        self.assertTrue(os.path.exists(cookie) and os.path.getsize(cookie) > 0, "no cookie in the state directory")

    def test_stderr_a_file_keeps_timestamps(self):
        # The variable alone is not enough: a script the service runs may send stderr to a file.
        env = dict(os.environ, JOURNAL_STREAM="8:12345")
        node = self.start(
            "node", "--node-alias", "plain", "-P", "0", log="plain", data_root=self.path("state"), env=env
        )
        wait_for(lambda: "listening on" in self.read("plain.log") or node.poll() is not None, 30, "the node starts")
        self.assertIsNone(node.poll(), f"the node exited: {self.read('plain.log')}")
        self.assertEqual(harness.stop(node), 0, "the node's status on SIGTERM")
        self.assertRegex(
            self.read("plain.log"),
            re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z info: listening on ", re.M),
            "with JOURNAL_STREAM set but stderr a file, lines lost their timestamps",
        )


if __name__ == "__main__":
    unittest.main()
