"""`iridium exec`, `ps` and `kill` on a 3-node cluster: output streamed before the program ends;
--on NAME, any and all; exit statuses 0, 1, 1x, 65, 130, 143, 69 and 77; ps of a process on another
node and kill of it; Ctrl-C; a client killed mid-run leaves no process behind; a target node killed
(or frozen) mid-run ends the client with 69 within failure-timeout + 1 s."""
import json
import os
import signal
import socket
import subprocess
import time
import unittest

from harness import EXAMPLES, PROGRAMS, E2ETestCase, iridium, read_line, wait_for

HELLO = os.path.join(EXAMPLES, "hello.iasm")
FAILURE_TIMEOUT_S = 3.0  # the nodes' default failure timeout


def program(name):
    return os.path.join(PROGRAMS, name)


class ExecTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        nodes = self.start_cluster(3)
        self.pids = {alias: pid for alias, (pid, _) in nodes.items()}
        self.node1, self.node2, self.node3 = (nodes[f"node{i}"][1] for i in (1, 2, 3))
        self.wait_for_mesh([self.node1, self.node2, self.node3])

    def exec(self, via, path, *args, **kwargs):
        return iridium("exec", via, path, *args, data_root=self.data, **kwargs)

    def assertStatus(self, out, status, what):
        self.assertEqual(
            out.returncode,
            status,
            f"{what}: exit {out.returncode}, expected {status}; "
            f"stdout: {out.stdout[:300]}; stderr: {out.stderr[:300]}",
        )

    def processes_on(self, via, alias):
        """The ids of the processes ps (asked through VIA) lists on node ALIAS."""
        out = iridium("ps", via, "--json", data_root=self.data)
        self.assertEqual(out.returncode, 0, f"ps {via}: {out.stderr}")
        return [p["id"] for p in json.loads(out.stdout) if p["node"] == alias]

    def start_forever(self, via, on):
        """A client running forever.iasm in the background, once the program has printed."""
        with open(self.path("client.err"), "w") as err:
            client = self.start("exec", via, program("forever.iasm"), "--on", on, data_root=self.data,
                                stdout=subprocess.PIPE, stderr=err, text=True)  # fmt: skip
        # The client's stdout is the program's output.
        line = read_line(client.stdout, 20, f"forever.iasm prints on {on}")
        self.assertEqual(line, "started\n", f"forever.iasm did not start on {on}")
        return client

    def finish(self, client, seconds=30):
        status = client.wait(timeout=seconds)
        client.stdout.close()
        return status

    def test_named_any_and_all(self):
        out = self.exec(self.node1, HELLO, "--on", "node2")
        self.assertStatus(out, 0, "exec hello on node2 through node1")
        self.assertEqual(out.stdout, "Hello, world!\n")
        out = self.exec(self.node2, HELLO, "--on", "any")
        self.assertStatus(out, 0, "exec --on any")
        self.assertEqual(out.stdout, "Hello, world!\n")
        state = self.path("state.json")
        out = self.exec(self.node3, HELLO, "--on", "all", "--state-json", state)
        self.assertStatus(out, 0, "exec --on all")
        self.assertEqual(
            sorted(out.stdout.splitlines()), ["[node1] Hello, world!", "[node2] Hello, world!", "[node3] Hello, world!"]
        )
        with open(state) as f:
            states = json.load(f)
        self.assertEqual(
            sorted(states), ["node1", "node2", "node3"], "--on all --state-json is an object keyed by alias"
        )
        self.assertTrue(all(v["event"]["kind"] == "GracefulStop" for v in states.values()), states)

    def test_output_is_streamed(self):
        # Output arrives while the program runs: the first line well before the program ends.
        command = ["exec", self.node1, program("slow.iasm"), "--on", "node3"]
        client = self.start(*command, data_root=self.data, stdout=subprocess.PIPE, text=True)
        arrived = {}
        for line in client.stdout:
            arrived[line.split()[0]] = time.monotonic()
        self.assertEqual(self.finish(client), 0)
        self.assertEqual(sorted(arrived), ["first", "second"], f"slow.iasm printed {sorted(arrived)}")
        gap_ms = (arrived["second"] - arrived["first"]) * 1000
        self.assertGreaterEqual(
            gap_ms, 300, f"the first line arrived only {gap_ms:.0f} ms before the second (not streamed?)"
        )

    def test_exit_statuses(self):
        self.assertStatus(self.exec(self.node1, program("illegal.iasm"), "--on", "node2"), 1, "IGL on node2")
        out = self.exec(self.node1, program("divzero.iasm"), "--on", "node3")
        self.assertStatus(out, 14, "DIVZERO on node3 (10 + 4)")
        self.assertIn("fault DIVZERO at pc=", out.stderr)
        out = self.exec(self.node1, program("invalid.iasm"), "--on", "node2")
        self.assertStatus(out, 65, "an invalid program (nothing sent)")
        self.assertIn("unknown mnemonic 'bogus'", out.stderr)
        self.assertStatus(self.exec(self.node1, HELLO, "--on", "nosuch"), 69, "an unknown member")
        # A copy under another name: the status of --on all is the highest of the nodes'.
        with open(program("divzero.iasm")) as f:
            copy = self.write("d.iasm", f.read())
        self.assertStatus(self.exec(self.node1, copy, "--on", "all"), 14, "all: the highest status")
        wrong = self.write("wrong-cookie", "wrong\n")
        self.assertStatus(
            iridium("exec", self.node1, HELLO, "--cookie-file", wrong, data_root=self.data), 77, "a wrong cookie"
        )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed = s.getsockname()[1]
            self.assertStatus(self.exec(f"127.0.0.1:{closed}", HELLO), 69, "a node that is not there")

    def test_ps_and_kill(self):
        # ps on another node lists the process; kill through a third ends its client with 143.
        client = self.start_forever(self.node1, "node2")
        ids = self.processes_on(self.node3, "node2")
        self.assertEqual(
            len(ids),
            1,
            "ps through node3 does not list the process on node2: "
            + iridium("ps", self.node3, data_root=self.data).stdout,
        )
        self.assertStatus(iridium("kill", self.node1, ids[0], data_root=self.data), 0, f"kill {ids[0]} through node1")
        self.assertEqual(self.finish(client), 143, f"the killed program's client: {self.read('client.err')}")
        self.assertStatus(
            iridium("kill", self.node1, "node2.999999", data_root=self.data), 1, "kill of a process that does not exist"
        )

    def test_ctrl_c_stops_the_remote_program(self):
        client = self.start_forever(self.node2, "node3")
        client.send_signal(signal.SIGINT)
        self.assertEqual(self.finish(client), 130, "Ctrl-C: exec's status")
        wait_for(lambda: not self.processes_on(self.node1, "node3"), 5, "the interrupted program is gone from node3")

    def test_killed_client_leaves_no_process(self):
        client = self.start_forever(self.node1, "node3")
        client.kill()
        self.finish(client)
        wait_for(
            lambda: not self.processes_on(self.node2, "node3"), 5, "the killed client's program is gone from node3"
        )

    def test_target_node_killed(self):
        # The target node dies mid-run: 69 and one line on stderr, within the failure timeout + 1 s.
        client = self.start_forever(self.node1, "node3")
        os.kill(self.pids["node3"], signal.SIGKILL)
        killed = time.monotonic()
        status = self.finish(client, seconds=FAILURE_TIMEOUT_S + 10)
        took = time.monotonic() - killed
        err = self.read("client.err")
        self.assertEqual(status, 69, f"target lost: exec's status; stderr: {err}")
        self.assertEqual(len(err.splitlines()), 1, f"target lost: stderr was: {err}")
        self.assertIn("lost node3", err)
        self.assertLessEqual(took, FAILURE_TIMEOUT_S + 1, f"target lost: exec took {took:.1f} s to notice")

    def test_target_node_frozen(self):
        # The target freezes (no FIN, no heartbeats): noticed by the failure timeout, 69 within 3 s + 1 s.
        client = self.start_forever(self.node1, "node2")
        os.kill(self.pids["node2"], signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            status = self.finish(client, seconds=FAILURE_TIMEOUT_S + 10)
            took = time.monotonic() - stopped
        finally:
            os.kill(self.pids["node2"], signal.SIGKILL)
        err = self.read("client.err")
        self.assertEqual(status, 69, f"frozen target: exec's status; stderr: {err}")
        self.assertIn("lost node2", err)
        self.assertLessEqual(
            took, FAILURE_TIMEOUT_S + 1, f"frozen target: exec took {took:.1f} s to notice (failure timeout 3 s)"
        )


class ExecBusyTests(E2ETestCase):
    """exec sends its request with the handshake's last message: a node with its one client slot for
    this address taken says busy without reading it, and the client's next try runs it, once."""

    def test_a_busy_exec_tries_again_and_runs_once(self):
        nodes = self.start_cluster(1, extra=("--max-client-connections-per-address", "1"))
        node = nodes["node1"][1]
        self.wait_for_mesh([node])
        with open(self.path("holder.err"), "w") as err:
            holder = self.start("exec", node, program("forever.iasm"), data_root=self.data,
                                stdout=subprocess.PIPE, stderr=err, text=True)  # fmt: skip
        self.assertEqual(read_line(holder.stdout, 20, "the slot holder's program prints"), "started\n")
        with open(self.path("second.out"), "w") as out, open(self.path("second.err"), "w") as err:
            second = self.start("exec", node, program("forever.iasm"), "--detach", "--timeout-ms", "60000",
                                data_root=self.data, stdout=out, stderr=err)  # fmt: skip
        wait_for(
            lambda: "too many client connections" in self.read("node1.log"),
            30,
            "the node told the second exec it is busy",
        )
        self.assertIsNone(second.poll(), f"the second exec gave up instead of trying again: {self.read('second.err')}")
        holder.send_signal(signal.SIGINT)
        self.assertEqual(holder.wait(timeout=30), 130, f"Ctrl-C of the slot holder: {self.read('holder.err')}")
        holder.stdout.close()
        self.assertEqual(second.wait(timeout=60), 0, f"the second exec: {self.read('second.err')}")
        root = self.read("second.out").strip()

        def listed():
            out = iridium("ps", node, "--json", data_root=self.data)
            return [p["id"] for p in json.loads(out.stdout)] if out.returncode == 0 else None

        # The holder's program goes (Ctrl-C); the detached one runs, and only once.
        wait_for(lambda: listed() == [root], 10, f"ps lists only the detached program {root}")


if __name__ == "__main__":
    unittest.main()
