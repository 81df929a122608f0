#!/usr/bin/env bash
# Do VM heaps come back? One `iridium node -r` serves 16 remote sessions that
# each fill a 64 MiB heap (every page written), while 4 spawned VMs do the same; then every
# session closes. The node's RSS must come back to within 64 MiB of its idle RSS, twice in a row.
# First, on a node with a small budget, the limits: a session's ALOC past --max-heap-bytes and
# past the node's --max-total-heap-bytes fault HEAP with a message saying which (and the node
# logs the second). Prints the RSS figures. Bounded (< 120 s); the nodes it starts are ended by
# PID on any exit. Run by CI.
# Usage: tools/memory-check.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")
exec python3 -u - "$iridium" <<'PYTHON'
import hashlib, hmac, os, signal, socket, subprocess, sys, tempfile, time

iridium = sys.argv[1]
MIB = 1 << 20
COOKIE = "memory-check-cookie"
SESSIONS, SPAWNS, ROUNDS = 16, 4, 2
deadline = time.time() + 110

def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    for line in open(log_path, errors="replace").read().splitlines()[-15:]:
        print(f"  node: {line}", file=sys.stderr)
    sys.exit(1)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
    return 0.0

class Session:
    """A remote REPL session: challenge, HMAC answer, banner, then one line at a time."""
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buffer = b""
        challenge = self.line()
        nonce = challenge.split()[-1]
        answer = hmac.new(COOKIE.encode(), ("iridium-remote-repl-auth-v1:" + nonce).encode(), hashlib.sha256).hexdigest()
        self.sock.sendall(answer.encode() + b"\n")
        banner = self.line()
        if "Welcome" not in banner: fail(f"login refused: {banner}")
        self.until_prompt()
    def line(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk: fail("the node closed a session")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()
    def until_prompt(self):
        # The prompt starts a line; a spawn's report may arrive right after it (and belongs to later).
        while True:
            at = 0 if self.buffer.startswith(b">>> ") else self.buffer.find(b"\n>>> ") + 1
            if at > 0 or self.buffer.startswith(b">>> "): break
            chunk = self.sock.recv(65536)
            if not chunk: fail("the node closed a session")
            self.buffer += chunk
        out, self.buffer = self.buffer[:at].decode(), self.buffer[at + 4:]
        return out
    def run(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self.until_prompt()
    def close(self):
        self.sock.close()

work = tempfile.mkdtemp()
os.makedirs(f"{work}/programs")
# ALOC 64 MiB less the 64 bytes a heap starts with, then write a word in every 4 KiB page, so
# the memory is really taken (fresh pages from the system cost nothing until touched).
with open(f"{work}/programs/fill.iasm", "w") as f:
    f.write(""".data
.code
        load $0 #67108800
        aloc $0
        load $1 #0
        load $2 #4096
        load $3 #67108800
        load $4 #1
touch:  setm $1 $4
        add $1 $2 $1
        lt $1 $3
        djmpe @touch
        hlt
""")
with open(f"{work}/programs/more.iasm", "w") as f:
    f.write(".data\n.code\n        load $0 #67108864\n        aloc $0\n        hlt\n")
log_path = f"{work}/node.log"
env = dict(os.environ, IRIDIUM_COOKIE=COOKIE)

def start_node(budget):
    """A node serving the remote REPL with 64 MiB VM heaps and this budget for all of them."""
    cluster_port, repl_port = free_port(), free_port()
    node = subprocess.Popen([iridium, "node", "--node-alias", "memory-check", "-P", str(cluster_port), "-r", "-p", str(repl_port),
                             "--max-heap-bytes", str(64 * MIB), "--max-total-heap-bytes", str(budget), "--threads", "2",
                             "--data-root-dir", work], stdout=subprocess.DEVNULL, stderr=open(log_path, "a"), env=env)
    nodes.append(node)
    while True:
        try:
            Session(repl_port).close(); return node, repl_port
        except (ConnectionRefusedError, OSError):
            if time.time() > deadline: fail("the node's remote REPL did not start")
            time.sleep(0.1)

def stop(node):
    node.send_signal(signal.SIGTERM)
    try:
        node.wait(timeout=10)
    except subprocess.TimeoutExpired:
        node.kill(); node.wait()

nodes = []
try:
    # The limits: a VM's own cap, then the node's budget (room for one 64 MiB heap, not two).
    node, port = start_node(96 * MIB)
    first, second = Session(port), Session(port)
    out = first.run("!load_file more.iasm")
    if "heap cap of 67108864 bytes (--max-heap-bytes)" not in out: fail(f"ALOC past the VM's cap: {out!r}")
    print("ok: an ALOC past --max-heap-bytes faults HEAP and the session is told which limit")
    if "VM stopped: code 0" not in first.run("!load_file fill.iasm"): fail("the first 64 MiB heap did not fit in the budget")
    out = second.run("!load_file fill.iasm")
    if "bytes all VM heaps may use together (--max-total-heap-bytes)" not in out: fail(f"ALOC past the node's budget: {out!r}")
    if "--max-total-heap-bytes" not in open(log_path, errors="replace").read(): fail("the node's log does not say its heap budget refused an ALOC")
    print("ok: an ALOC past --max-total-heap-bytes faults HEAP; the session is told, and the node logs it")
    first.close(); second.close(); stop(node)

    # The rounds: every VM of a round fits in the budget.
    node, port = start_node((SESSIONS + SPAWNS + 1) * 64 * MIB)
    time.sleep(1)
    idle = rss_mib(node.pid)
    print(f"idle RSS: {idle:.1f} MiB")
    for round_ in range(1, ROUNDS + 1):
        sessions = [Session(port) for _ in range(SESSIONS)]
        for s in sessions:
            out = s.run("!load_file fill.iasm")
            if "VM stopped: code 0" not in out: fail(f"round {round_}: a session could not fill its heap: {out!r}")
        peak = rss_mib(node.pid)
        for _ in range(SPAWNS):
            out = sessions[0].run("!spawn fill.iasm")
            if "spawned vm" not in out: fail(f"round {round_}: spawn refused: {out!r}")
        # Each spawn reports to session 0 when it ends; wait for the 4 reports.
        reports = out.count("GracefulStop{0}")
        while reports < SPAWNS and time.time() < deadline:
            reports += sessions[0].run("").count("GracefulStop{0}")
            peak = max(peak, rss_mib(node.pid))
            time.sleep(0.05)
        if reports < SPAWNS: fail(f"round {round_}: only {reports} of {SPAWNS} spawns reported")
        for s in sessions: s.close()
        # The heaps come back when the sessions end; the node collects right after.
        settle = time.time() + 15
        after = rss_mib(node.pid)
        while after > idle + 64 and time.time() < settle:
            time.sleep(0.25)
            after = rss_mib(node.pid)
        time.sleep(1)
        after = rss_mib(node.pid)
        print(f"round {round_}: peak RSS {peak:.1f} MiB ({SESSIONS} sessions x 64 MiB, then {SPAWNS} spawns x 64 MiB); after closing: {after:.1f} MiB ({after - idle:+.1f} MiB against idle)")
        if peak < idle + SESSIONS * 64 * 0.9: fail(f"round {round_}: the sessions did not take their memory (peak {peak:.1f} MiB): the check would measure nothing")
        if after > idle + 64: fail(f"round {round_}: RSS {after:.1f} MiB is more than 64 MiB above idle ({idle:.1f} MiB)")
    print(f"ok: heaps come back: {ROUNDS} rounds end within 64 MiB of idle")
finally:
    for n in nodes:
        if n.poll() is None: stop(n)
PYTHON
