"""The scratch image's file tree, tested without Docker: tools/container/rootfs.sh builds it (the
binary, the loader, libc.so.6, libm.so.6 and an empty data root; no /dev, /proc or /etc), then,
chrooted into it as the image's non-root user with an empty environment: `run` prints the
program's output and exits 0, `asm` writes an image that runs, two `node`s form a cluster that
`members` lists (the cookie and node ids come from getrandom(2), the data root is the default
/var/lib/iridium), and failures are one line and an exit status, never a stack trace.
Needs root (chroot), or an unprivileged user namespace (unshare -r); skips, saying so, otherwise."""
import os
import re
import shutil
import signal
import subprocess
import unittest

import harness
from harness import BIN, EXAMPLES, ROOT, STACK_TRACE, E2ETestCase, free_ports, wait_for

ROOTFS_SH = os.path.join(ROOT, "tools", "container", "rootfs.sh")
DOCKERFILE = os.path.join(ROOT, "tools", "container", "Dockerfile")
IMAGE_UID = 65532


def chroot_prefix(tree):
    """The command prefix that runs a command chrooted into TREE with an empty environment (as the
    image's user when we are root), or a reason why this machine cannot."""
    chroot = shutil.which("chroot")
    if chroot is None:
        return None, "no chroot"
    if os.getuid() == 0:
        return ["env", "-i", chroot, f"--userspec={IMAGE_UID}:{IMAGE_UID}", tree], None
    unshare = shutil.which("unshare") or "unshare"
    if subprocess.run([unshare, "-r", "true"], capture_output=True).returncode == 0:
        # A user namespace in which we are root: chroot works, the files stay ours (uid 0 inside).
        return ["env", "-i", unshare, "-r", chroot, tree], None
    return None, "needs root for chroot, or unprivileged user namespaces for unshare -r"


class DockerfileTests(E2ETestCase):
    def test_scratch_stage_ships_the_tree(self):
        # The Dockerfile (not built here: no Docker engine in CI) must ship exactly rootfs.sh's tree:
        # its build stage runs rootfs.sh, and its scratch stage copies only what rootfs.sh made, as rootfs.sh's user.
        text = open(DOCKERFILE).read()
        lines = text.splitlines()
        start = next((i for i, line in enumerate(lines) if line.startswith("FROM scratch")), None)
        self.assertIsNotNone(start, "the Dockerfile has no FROM scratch stage")
        final = lines[start:]
        self.assertIn(
            "tools/container/rootfs.sh /rootfs",
            text,
            "the Dockerfile's build stage does not run tools/container/rootfs.sh /rootfs",
        )
        bad = [
            line
            for line in final
            if re.match(r"^(COPY|ADD)", line)
            and not re.match(r"^COPY --from=build (--chown=[0-9]+:[0-9]+ )?/rootfs/", line)
        ]
        self.assertEqual(bad, [], "the scratch stage copies more than rootfs.sh's tree")
        uid = re.search(r"^uid=(\S+)", open(ROOTFS_SH).read(), re.M).group(1)
        self.assertIn(f"USER {uid}:{uid}", final, f"the scratch stage's USER is not rootfs.sh's uid {uid}")
        self.assertIn('ENTRYPOINT ["/iridium"]', final)
        self.assertIn('VOLUME ["/var/lib/iridium"]', final, "the data root is not a VOLUME")


class RootfsTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.tree = self.path("root")
        self.prefix, reason = chroot_prefix(self.tree)
        if self.prefix is None:
            self.skipTest(reason)
        out = subprocess.run([ROOTFS_SH, self.tree, BIN], capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, f"rootfs.sh: {out.stdout}{out.stderr}")
        self.uid = IMAGE_UID if os.getuid() == 0 else 0
        # The test's own files, outside the image's list: a program and a writable directory.
        os.makedirs(os.path.join(self.tree, "t"))
        shutil.copy(os.path.join(EXAMPLES, "hello.iasm"), os.path.join(self.tree, "t", "hello.iasm"))
        if self.uid:
            for folder, _, files in os.walk(os.path.join(self.tree, "t")):
                os.chown(folder, self.uid, self.uid)
                for name in files:
                    os.chown(os.path.join(folder, name), self.uid, self.uid)

    def inside(self, status, pattern, *args, one_line=False):
        """/iridium ARGS in the tree: exit STATUS, output (stdout and stderr) matching PATTERN, no stack trace."""
        out = harness.iridium(*args, prefix=self.prefix, binary="/iridium", stderr=subprocess.STDOUT)
        self.assertEqual(out.returncode, status, f"iridium {' '.join(args)}: {out.stdout}")
        if pattern:
            self.assertRegex(out.stdout, re.compile(pattern, re.M), f"iridium {' '.join(args)}")
        self.assertNotRegex(out.stdout, STACK_TRACE, f"iridium {' '.join(args)}: a stack trace")
        if one_line:
            self.assertEqual(len(out.stdout.splitlines()), 1, f"expected one line: {out.stdout}")
        return out

    def test_tree_is_the_binary_and_its_libraries(self):
        # Exactly the binary and what ldd names (the loader, libc.so.6, libm.so.6): nothing else.
        files = sorted(
            "/" + os.path.relpath(os.path.join(folder, name), self.tree)
            for folder, _, names in os.walk(self.tree)
            for name in names
            if not folder.startswith(os.path.join(self.tree, "t"))
        )
        listed = sorted(
            subprocess.run([ROOTFS_SH, "--list", BIN], capture_output=True, text=True, check=True).stdout.split()
        )
        self.assertEqual(files, listed, "the tree is not rootfs.sh's list")
        names = sorted(os.path.basename(f) for f in files)
        self.assertRegex(
            " ".join(names),
            r"^iridium ld-linux-.*\.so\.2 libc\.so\.6 libm\.so\.6$",
            "expected iridium, the loader, libc.so.6 and libm.so.6",
        )
        for folder in ("dev", "proc", "etc", "sys", "tmp"):
            self.assertFalse(os.path.exists(os.path.join(self.tree, folder)), f"/{folder} exists in the tree")
        self.assertTrue(os.path.isdir(os.path.join(self.tree, "var", "lib", "iridium")), "no /var/lib/iridium")

    def test_run_and_asm(self):
        self.inside(0, r"^Hello, world!$", "run", "/t/hello.iasm")
        self.inside(0, "", "asm", "/t/hello.iasm", "-o", "/t/hello.iri")
        self.inside(0, r"^Hello, world!$", "run", "/t/hello.iri")

    def test_failures_are_one_line(self):
        self.inside(66, r"^iridium: ", "run", "/t/missing.iasm", one_line=True)
        # A data root that cannot be made: under a file, whoever we are; and /proc/nope as the image's
        # user (in a user namespace the tree is ours, so /proc/nope could be made and the node would run).
        self.inside(78, r"^iridium: ", "node", "--data-root-dir", "/iridium/nope", one_line=True)
        if self.uid == IMAGE_UID:
            self.inside(78, r"^iridium: ", "node", "--data-root-dir", "/proc/nope", one_line=True)

    def test_two_nodes_form_a_cluster(self):
        # Two nodes on loopback (the chroot shares this machine's network), default data root.
        p1 = free_ports(2)
        p2 = p1 + 1
        inside = dict(prefix=self.prefix, binary="/iridium")
        n1 = self.start("node", "--node-alias", "n1", "-P", str(p1), log="n1", **inside)
        n2 = self.start("node", "--node-alias", "n2", "-P", str(p2), "--join", f"127.0.0.1:{p1}", log="n2", **inside)
        nodes = [n1, n2]

        def both_listed():
            out = harness.iridium(
                "members", f"127.0.0.1:{p1}", "--timeout-ms", "1000", prefix=self.prefix, binary="/iridium"
            )
            return (
                out.returncode == 0
                and sum(1 for line in out.stdout.splitlines() if line.split()[3:4] in (["self"], ["up"])) == 2
            )

        wait_for(both_listed, 30, "members lists both nodes")
        cookie = os.path.join(self.tree, "var", "lib", "iridium", "cookie")
        self.assertTrue(
            os.path.exists(cookie) and os.path.getsize(cookie) > 0, "no cookie was created in the default data root"
        )
        self.inside(69, r"^iridium: ", "node", "--node-alias", "n3", "-P", str(p1), one_line=True)
        for node in nodes:
            self.assertEqual(harness.stop(node, signal.SIGTERM), 0, "a node's status after SIGTERM")
        for name in ("n1", "n2"):
            self.assertNotRegex(self.read(f"{name}.log"), STACK_TRACE, f"{name} printed a stack trace")


if __name__ == "__main__":
    unittest.main()
