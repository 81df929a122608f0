"""The remote REPL's VM is a process of its node: typed lines SPAWN a program's child, SEND to it and
RECV its answer; a session waiting in RECV holds no scheduler thread (the node runs one, and another
session's lines still run), and the 0x03 interrupt ends the wait with the usual message."""
import os
import unittest

from harness import E2ETestCase, RemoteSession, free_ports, wait_for

COOKIE = "repl-processes-cookie"

SERVER = """.data
ping:   .asciiz 'ping'
pong:   .asciiz 'pong'
.code
        hlt
child:  load $7 #-1
        load $8 #0
        recv $9 $7 $8
        load $1 @pong
        strh $8 $1 $3
        send $9 $8 $3
        hlt
"""


class ReplProcessTests(E2ETestCase):
    def start_node(self):
        base = free_ports(2)
        os.makedirs(self.path("programs"))
        self.write(os.path.join("programs", "server.iasm"), SERVER)
        env = dict(os.environ, IRIDIUM_COOKIE=COOKIE)
        node = self.start(
            "node", "--node-alias", "repl-proc", "-P", str(base), "-r", "-p", str(base + 1), "--threads", "1",
            log="node", data_root=self.work, env=env,
        )

        def serves():
            try:
                RemoteSession(base + 1, COOKIE).close()
                return True
            except OSError:
                return node.poll() is not None

        wait_for(serves, 30, "the node's remote REPL serves")
        self.assertIsNone(node.poll(), "the node exited")
        return base + 1

    def test_typed_lines_spawn_send_and_receive(self):
        port = self.start_node()
        with RemoteSession(port, COOKIE) as session:
            self.assertIn("VM stopped: code 0 (HLT)", session.run("!load_file server.iasm"))
            for line in ("load $4 @child", "load $5 #0", "load $6 #-1", "spawn $4 $5 $6",
                         "load $1 @ping", "load $2 #0", "strh $2 $1 $3", "send $6 $2 $3",
                         "load $7 #-1", "load $8 #16", "recv $9 $7 $8"):
                self.assertEqual("", session.run(line), line)
            self.assertEqual("pong\n", session.run("prth $8 $7"))
            self.assertRegex(session.run("!registers"), r"\$9 = +1 ")

    def test_an_interrupt_ends_a_waiting_recv_which_holds_no_thread(self):
        port = self.start_node()
        with RemoteSession(port, COOKIE) as waiting, RemoteSession(port, COOKIE) as other:
            waiting.run("load $7 #-1")
            waiting.run("load $8 #0")
            waiting.send(b"recv $9 $7 $8\n")
            # The node has one scheduler thread: the other session's lines run while the RECV waits.
            self.assertEqual("", other.run("load $0 #7"))
            self.assertEqual("7\n", other.run("prti $0"))
            waiting.send(b"\x03")
            self.assertEqual("interrupted at pc=12 (RECV $9 $7 $8)\n", waiting.until_prompt())
            self.assertEqual("5\n", waiting.run("load $1 #5") + waiting.run("prti $1"))


if __name__ == "__main__":
    unittest.main()
