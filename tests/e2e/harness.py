"""What every end-to-end test of the published `iridium` binary needs, written once.

    BIN, ROOT, FIXTURES    the binary under test ($IRIDIUM_BIN, default artifacts/iridium), the
                           repository root, tests/e2e/fixtures
    E2ETestCase            a unittest.TestCase with a fresh work directory (self.work), processes
                           started by PID and killed on any exit (self.start), the tail of every
                           log in the work directory added to a failure's report
    wait_for               poll a condition with a generous deadline, never sleep-and-assert
    free_port, free_ports  ports below the ephemeral range, free on 127.0.0.1
    iridium                run the binary once (the one way tests run a command of it)
    members, live_aliases  a node's members table, as `iridium members` prints it
    RemoteSession          the one raw client of the remote REPL: its Noise handshake, then lines
                           in sealed frames (an implementation of the protocol apart from ours)
    Tmux                   a terminal: tmux runs a command, types keys and reads the screen

Stdlib only, but for the remote REPL's encryption: RemoteSession imports the `cryptography`
package (X25519, ChaCha20-Poly1305) when it is first used. A process a test starts goes in a registry that an atexit hook empties with
SIGKILL (and kills the tmux servers left), so Ctrl-C or SIGTERM of the runner leaves no node
behind either.
"""
import atexit
import hashlib
import hmac
import os
import random
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "e2e", "fixtures")
PROGRAMS = os.path.join(FIXTURES, "programs")
EXAMPLES = os.path.join(ROOT, "examples")
CLUSTER_SH = os.path.join(ROOT, "tools", "cluster.sh")


def binary_path():
    """$IRIDIUM_BIN (relative to the repository root when relative), else artifacts/iridium."""
    path = os.environ.get("IRIDIUM_BIN") or os.path.join("artifacts", "iridium")
    return os.path.abspath(os.path.join(ROOT, path))


BIN = binary_path()

# Log lines of headless processes: "2025-06-01T12:00:00.000000Z info: message".
LOG_LINE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{15}Z (trace|debug|info|warn|error|critical): ")
STACK_TRACE = re.compile(r"^\s+at |Unhandled exception", re.M)


# ---- processes: every one by PID, killed on any exit

_live = {}  # pid -> Popen, or the start time of a process adopted by PID (e.g. one tools/cluster.sh started)


def _start_time(pid):
    """When PID started (clock ticks since boot), or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _kill(pid, process):
    # An adopted PID is not our child: once it exits, the number may be another process's.
    if not isinstance(process, subprocess.Popen) and _start_time(pid) != process:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if isinstance(process, subprocess.Popen):
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


_tmux_sockets = set()  # the tmux servers of Tmux objects not yet closed


@atexit.register
def _kill_everything_left():
    for pid, process in list(_live.items()):
        _kill(pid, process)
    _live.clear()
    for name in list(_tmux_sockets):
        subprocess.run(["tmux", "-L", name, "kill-server"], capture_output=True, timeout=30)
    _tmux_sockets.clear()


def adopt(pid):
    """Kills PID at the end of the test (and on any exit): a process another tool started for us."""
    started = _start_time(pid)
    if started is not None:
        _live[pid] = started


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stop(process, sig=signal.SIGTERM, timeout=15):
    """Sends SIG and waits; SIGKILL after TIMEOUT seconds. Returns the exit status."""
    if process.poll() is None:
        process.send_signal(sig)
    try:
        status = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        status = process.wait()
    _live.pop(process.pid, None)
    return status


# ---- waiting


def wait_for(condition, seconds, description, interval=0.1):
    """Polls CONDITION until it returns a true value (which is returned); fails the test after SECONDS."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{description} (not within {seconds} s)")
        time.sleep(interval)


def read_line(pipe, seconds, description):
    """The next line from a process's PIPE, read byte by byte from its file descriptor (so nothing
    sits in a buffer select cannot see); fails the test after SECONDS."""
    deadline = time.monotonic() + seconds
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([pipe.fileno()], [], [], left)[0]:
            raise AssertionError(f"{description} (not within {seconds} s; read {line!r})")
        byte = os.read(pipe.fileno(), 1)
        if not byte:
            break
        line += byte
    return line.decode(errors="replace")


# ---- ports


def free_ports(count):
    """A base port P with P .. P+COUNT-1 free on 127.0.0.1. Below the ephemeral range (32768+), so
    a port we pick is not taken by an outgoing connection between this check and the bind."""
    for _ in range(200):
        base = random.randint(20000, 32000 - count)
        sockets = [socket.socket() for _ in range(count)]
        try:
            for i, s in enumerate(sockets):
                s.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            pass
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free ports")


def free_port():
    return free_ports(1)


# ---- the binary


def iridium(*args, data_root=None, timeout=60, prefix=(), binary=None, **kwargs):
    """Runs the binary once (stdin closed unless input= is given) and returns the CompletedProcess
    with text stdout and stderr. DATA_ROOT adds --data-root-dir; PREFIX runs it under another
    command (ip netns exec NS, chroot ...)."""
    command = [*prefix, binary or BIN, *args]
    if data_root is not None:
        command += ["--data-root-dir", data_root]
    if "input" not in kwargs:
        kwargs.setdefault("stdin", subprocess.DEVNULL)
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(command, text=True, timeout=timeout, **kwargs)


def members(address, *options, data_root=None, timeout_ms=2000, **kwargs):
    """The rows of `iridium members ADDRESS [OPTIONS]` (a list of the whitespace-separated fields,
    the header row left out: older builds print none), or None when the command fails."""
    out = iridium("members", address, *options, "--timeout-ms", str(timeout_ms), data_root=data_root, **kwargs)
    if out.returncode != 0:
        return None
    return [line.split() for line in out.stdout.splitlines() if line.strip() and not line.startswith("ALIAS ")]


def live_aliases(address, *options, data_root=None, **kwargs):
    """The sorted aliases ADDRESS lists as self or up ([] when it does not answer)."""
    rows = members(address, *options, data_root=data_root, **kwargs) or []
    return sorted(row[0] for row in rows if row[3:4] in (["self"], ["up"]))


def first_line(out):
    """The first line a command printed: stdout's, or stderr's when stdout is empty."""
    text = out.stdout if out.stdout else out.stderr
    return text.splitlines()[0] if text else ""


def log_lines_are_ours(path):
    """Every line is "TIMESTAMP level: message", with no category or event number."""
    text = open(path, errors="replace").read()
    return all(LOG_LINE.match(line) for line in text.splitlines()) and not re.search(
        r"Iridium\.[A-Za-z.]+\[[0-9]+\]", text
    )


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# ---- the remote REPL, spoken by hand

REMOTE_GREETING = "iridium-remote v2 "
NOISE_NAME = b"Noise_NNpsk0_25519_ChaChaPoly_SHA256"
CHACHA_POLY = 1  # the cipher byte of the first frame


class LoginRefused(Exception):
    pass


def _hkdf(chaining_key, material, outputs):
    """Noise's HKDF (RFC 5869 with the chaining key as salt, no info)."""
    temp = hmac.new(chaining_key, material, hashlib.sha256).digest()
    out, previous = [], b""
    for i in range(1, outputs + 1):
        previous = hmac.new(temp, previous + bytes([i]), hashlib.sha256).digest()
        out.append(previous)
    return out


def cookie_psk(cookie):
    """The Noise pre-shared key of a cookie: HKDF-SHA256, empty salt, info "iridium noise psk v2"."""
    prk = hmac.new(b"\0" * 32, cookie.encode(), hashlib.sha256).digest()
    return hmac.new(prk, b"iridium noise psk v2\x01", hashlib.sha256).digest()


class _Cipher:
    """One direction of a Noise channel: ChaCha20-Poly1305 and a counter (4 zero bytes, then it little-endian)."""

    def __init__(self, key):
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

        self.aead, self.n = ChaCha20Poly1305(key), 0

    def _nonce(self):
        nonce = b"\0\0\0\0" + self.n.to_bytes(8, "little")
        self.n += 1
        return nonce

    def seal(self, plaintext, ad=b""):
        return self.aead.encrypt(self._nonce(), plaintext, ad)

    def open(self, sealed, ad=b""):
        return self.aead.decrypt(self._nonce(), sealed, ad)


class RemoteSession:
    """A remote REPL session over a raw socket, written from the protocol's description: the
    greeting line, the Noise NNpsk0 handshake keyed by the cookie (ChaCha20-Poly1305), the sealed
    login frame, the banner, then one line at a time up to the next prompt, every byte sealed."""

    def __init__(self, port, cookie, host="127.0.0.1", timeout=30, source=None):
        self.sock = socket.create_connection(
            (host, port), timeout=timeout, source_address=(source, 0) if source else None
        )
        self.raw = b""
        self.buffer = b""
        try:
            greeting = self._raw_line()
            if not greeting.startswith(REMOTE_GREETING):
                raise LoginRefused(greeting)
            self._handshake(cookie_psk(cookie), greeting.encode())
            banner = self.line()
            if "Welcome" not in banner:
                raise LoginRefused(banner)
            self.until_prompt()
        except BaseException:
            self.sock.close()
            raise

    def _handshake(self, psk, prologue):
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

        h = hashlib.sha256(NOISE_NAME).digest()  # the name is longer than a hash: hashed
        ck = h
        h = hashlib.sha256(h + prologue).digest()
        ck, temp, k = _hkdf(ck, psk, 3)  # psk: MixKeyAndHash
        h = hashlib.sha256(h + temp).digest()
        ephemeral = X25519PrivateKey.generate()
        e = ephemeral.public_key().public_bytes_raw()
        h = hashlib.sha256(h + e).digest()  # e, in a psk handshake: MixHash, then MixKey
        ck, k = _hkdf(ck, e, 2)
        tag = _Cipher(k).seal(b"", h)
        h = hashlib.sha256(h + tag).digest()
        self.sock.sendall(self._frame(bytes([CHACHA_POLY]) + e + tag))

        reply = self._raw_frame()
        if reply[0] != 0:
            raise LoginRefused(reply[1:].decode(errors="replace"))
        re_, tag = reply[1:33], reply[33:]
        h = hashlib.sha256(h + re_).digest()
        ck, k = _hkdf(ck, re_, 2)
        ck, k = _hkdf(ck, ephemeral.exchange(X25519PublicKey.from_public_bytes(re_)), 2)  # ee
        _Cipher(k).open(tag, h)
        to_server, from_server = _hkdf(ck, b"", 2)  # Split
        self.send_cipher, self.receive_cipher = _Cipher(to_server), _Cipher(from_server)
        self.send(b"login")

    @staticmethod
    def _frame(body):
        return len(body).to_bytes(4, "little") + body

    def _raw_receive(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the node closed the session")
        self.raw += chunk

    def _raw_line(self):
        while b"\n" not in self.raw:
            self._raw_receive()
        line, self.raw = self.raw.split(b"\n", 1)
        return line.decode()

    def _raw_frame(self):
        while len(self.raw) < 4 or len(self.raw) < 4 + int.from_bytes(self.raw[:4], "little"):
            self._raw_receive()
        length = int.from_bytes(self.raw[:4], "little")
        body, self.raw = self.raw[4 : 4 + length], self.raw[4 + length :]
        return body

    def send(self, data):
        """Sends bytes (lines, the interrupt byte 0x03) as one sealed frame."""
        self.sock.sendall(self._frame(self.send_cipher.seal(data)))

    def _receive(self):
        plaintext = self.receive_cipher.open(self._raw_frame())
        if not plaintext:
            raise ConnectionError("the node closed the session")
        self.buffer += plaintext

    def line(self):
        while b"\n" not in self.buffer:
            self._receive()
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def until_prompt(self):
        """What the server printed up to the next prompt. The prompt starts a line; a spawn's report
        may arrive right after it (and belongs to the next call)."""
        while True:
            at = 0 if self.buffer.startswith(b">>> ") else self.buffer.find(b"\n>>> ") + 1
            if at > 0 or self.buffer.startswith(b">>> "):
                break
            self._receive()
        out, self.buffer = self.buffer[:at].decode(), self.buffer[at + 4 :]
        return out

    def run(self, line):
        self.send(line.encode() + b"\n")
        return self.until_prompt()

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- a terminal


class Tmux:
    """A private tmux server (its own socket: never anyone else's) whose sessions run commands in a
    100x40 terminal. Each command's exit status is written to WORK/SESSION.status by the shell
    that runs it: tmux itself is slow to reap a dead pane's process."""

    def __init__(self, work):
        self.work = work
        self.socket = f"iridium-e2e-{os.getpid()}-{random.randint(0, 1 << 30)}"
        self.pane = None
        _tmux_sockets.add(self.socket)
        # An idle session keeps the server up between the others (a server whose last session is
        # killed exits, and a command racing that exit fails).
        self.tmux("new-session", "-d", "-s", "idle", "-x", "100", "-y", "40", "sleep 3600")

    def tmux(self, *args, check=True):
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check, timeout=30
        )

    def close(self):
        """Kills the server; the screen it showed last goes to WORK/SESSION.screen.log first, which a
        failure's report then shows."""
        if self.pane is not None:
            with open(os.path.join(self.work, f"{self.pane}.screen.log"), "w") as f:
                f.write(self.screen())
        self.tmux("kill-server", check=False)
        _tmux_sockets.discard(self.socket)

    def start(self, session, *command, cwd=ROOT):
        """Runs COMMAND in a new session, which the other methods then look at."""
        status = os.path.join(self.work, f"{session}.status")
        if os.path.exists(status):
            os.remove(status)
        line = f"{shlex.join(command)}; echo $? > {shlex.quote(status)}"
        self.tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "40", "-c", cwd, line)
        self.tmux("set-option", "-t", session, "remain-on-exit", "on")
        self.pane = session

    def end(self, session):
        self.tmux("kill-session", "-t", session, check=False)

    def screen(self):
        return self.tmux("capture-pane", "-p", "-t", self.pane, check=False).stdout

    def lines(self):
        return self.screen().splitlines()

    def last_line(self):
        """The last non-empty line (tmux drops trailing spaces, so a prompt reads ">>>")."""
        lines = [line for line in self.lines() if line]
        return lines[-1] if lines else ""

    def type_line(self, text):
        self.tmux("send-keys", "-t", self.pane, "-l", "--", text)
        self.tmux("send-keys", "-t", self.pane, "Enter")

    def type(self, text):
        self.tmux("send-keys", "-t", self.pane, "-l", "--", text)

    def keys(self, *keys):
        self.tmux("send-keys", "-t", self.pane, *keys)

    def shows(self, text):
        return text in self.screen()

    def shows_line(self, pattern):
        return re.search(pattern, self.screen(), re.M) is not None

    def wait_shows(self, text, seconds=20):
        wait_for(lambda: self.shows(text), seconds, f"the screen shows {text!r}")

    def wait_line(self, pattern, seconds=20):
        wait_for(lambda: self.shows_line(pattern), seconds, f"a screen line matches /{pattern}/")

    def wait_last(self, text, seconds=20):
        wait_for(lambda: self.last_line() == text, seconds, f"the last screen line is {text!r}")

    def wait_first(self, text, seconds=20):
        wait_for(lambda: (self.lines() or [""])[0] == text, seconds, f"the first screen line is {text!r}")

    def exit_status(self, seconds=20):
        """The exit status of the pane's command, once it has exited."""
        path = os.path.join(self.work, f"{self.pane}.status")
        wait_for(lambda: os.path.exists(path) and open(path).read().strip(), seconds, f"{self.pane} exits")
        return int(open(path).read())


# ---- the test case


class E2ETestCase(unittest.TestCase):
    """A test with a fresh work directory (self.work, removed afterwards) and processes started by
    self.start (killed by PID after the test, whatever happens). When a test fails, the last lines
    of every *.log and *.err under its work directory are added to the failure's report."""

    LOG_TAIL = 25

    def setUp(self):
        if not os.access(BIN, os.X_OK):
            self.fail(f"no iridium binary at {BIN} (publish it or set IRIDIUM_BIN)")
        self.work = tempfile.mkdtemp(prefix="iridium-e2e-")
        self.processes = []
        self.addCleanup(self._end_processes)

    def start(self, *args, log=None, binary=None, prefix=(), data_root=None, **kwargs):
        """Starts the binary with ARGS in the background, stdout and stderr to WORK/LOG.log (or
        nowhere) and stdin closed. Returns the Popen."""
        command = [*prefix, binary or BIN, *args]
        if data_root is not None:
            command += ["--data-root-dir", data_root]
        return self.spawn(command, log=log, **kwargs)

    def spawn(self, command, log=None, **kwargs):
        """Starts any COMMAND in the background, like start()."""
        if log is not None:
            output = open(self.path(f"{log}.log"), "ab")
            kwargs.setdefault("stdout", output)
            kwargs.setdefault("stderr", subprocess.STDOUT)
        else:
            kwargs.setdefault("stdout", subprocess.DEVNULL)
            kwargs.setdefault("stderr", subprocess.DEVNULL)
        kwargs.setdefault("stdin", subprocess.DEVNULL)
        process = subprocess.Popen(command, **kwargs)
        if log is not None:
            output.close()
        _live[process.pid] = process
        self.processes.append(process)
        return process

    def start_cluster(self, count, extra=()):
        """COUNT nodes started by tools/cluster.sh (node1 on a free base port P, nodeK on P+K-1
        joining node1; logs, PIDs and the data root in the work directory), every one adopted by
        PID. Returns {alias: (pid, "127.0.0.1:PORT")}; self.data is the cluster's data root."""
        base = free_ports(count)
        out = subprocess.run(
            [CLUSTER_SH, "start", str(count), "--base-port", str(base), "--dir", self.work, "--", *extra],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ, IRIDIUM=BIN),
        )
        nodes = {}
        if os.path.exists(self.path("pids")):
            for line in open(self.path("pids")):
                pid, alias, port = line.split()
                adopt(int(pid))
                nodes[alias] = (int(pid), f"127.0.0.1:{port}")
        self.addCleanup(self.stop_cluster)
        self.assertEqual(out.returncode, 0, f"tools/cluster.sh start: {out.stdout}{out.stderr}")
        self.data = self.path("data")
        return nodes

    def stop_cluster(self):
        """tools/cluster.sh stop: SIGTERM by recorded PID (the nodes leave), SIGKILL for stragglers."""
        return subprocess.run(
            [CLUSTER_SH, "stop", "--dir", self.work],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ, IRIDIUM=BIN),
        )

    def wait_for_mesh(self, addresses, seconds=30):
        """Every node at ADDRESSES lists all of them as self or up."""

        def whole():
            return all(len(live_aliases(a, data_root=self.data)) == len(addresses) for a in addresses)

        wait_for(whole, seconds, f"every node lists all {len(addresses)}")

    def _end_processes(self):
        for process in self.processes:
            _kill(process.pid, process)
            _live.pop(process.pid, None)
        for pid, started in [(pid, p) for pid, p in _live.items() if not isinstance(p, subprocess.Popen)]:
            _kill(pid, started)
            del _live[pid]

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def write(self, name, text):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    def read(self, name):
        with open(self.path(name), errors="replace") as f:
            return f.read()

    def logs(self):
        """The tail of every log in the work directory, for a failure's report."""
        parts = []
        for folder, _, files in os.walk(self.work):
            for name in sorted(files):
                if name.endswith((".log", ".err")):
                    path = os.path.join(folder, name)
                    lines = open(path, errors="replace").read().splitlines()[-self.LOG_TAIL :]
                    parts.append(
                        f"--- {os.path.relpath(path, self.work)} (last {len(lines)} lines)\n" + "\n".join(lines)
                    )
        return "\n".join(parts)

    def run(self, result=None):
        if result is None:
            result = self.defaultTestResult()
        already = {id(outcomes): len(outcomes) for outcomes in (result.failures, result.errors)}
        try:
            return super().run(result)
        finally:
            work = getattr(self, "work", None)
            if work and os.path.isdir(work):
                # This test's failures get the logs before the directory goes.
                for outcomes in (result.failures, result.errors):
                    for i in range(already[id(outcomes)], len(outcomes)):
                        test, text = outcomes[i]
                        # A failed subTest is reported as a _SubTest whose test_case is this test.
                        logs = self.logs() if getattr(test, "test_case", test) is self else ""
                        if logs:
                            outcomes[i] = (test, f"{text}\nlogs of {self.id()}:\n{logs}\n")
                shutil.rmtree(work, ignore_errors=True)
