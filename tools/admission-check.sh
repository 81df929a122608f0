#!/usr/bin/env bash
# Can strangers lock users out? Two nodes in a mesh; node a also serves the
# remote REPL. An attacker on 127.0.0.2 (all of 127.0.0.0/8 is local) keeps 650 connections to a
# port at once, each sending one byte and stalling, and reconnects whenever one is dropped.
#   * cluster port: `iridium members` (from 127.0.0.1) must succeed at least 9 times in 10, and
#     the two nodes must keep each other up (no "node down" line) while the flood lasts;
#   * remote REPL port, with 40 idle unauthenticated connections on top: `iridium remote -c hlt`
#     must log in and run every time (10 of 10).
# Prints the figures. Bounded (< 120 s); every process it starts is ended by PID. Run by CI.
# Usage: tools/admission-check.sh [path/to/iridium]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
iridium=${1:-${IRIDIUM:-$root/artifacts/iridium}}
iridium=$(cd "$(dirname "$iridium")" && pwd)/$(basename "$iridium")
exec python3 -u - "$iridium" <<'PYTHON'
import asyncio, os, signal, socket, subprocess, sys, tempfile, threading, time

iridium = sys.argv[1]
ATTACKER, CONCURRENT, QUERIES = "127.0.0.2", 650, 10
deadline = time.time() + 110
work = tempfile.mkdtemp()
env = dict(os.environ, IRIDIUM_COOKIE="admission-check-cookie")
procs = []
failures = []  # both ports are tried before the verdict, so one run shows both figures

def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    for name in ("a", "b"):
        path = f"{work}/{name}.log"
        if os.path.exists(path):
            for line in open(path, errors="replace").read().splitlines()[-10:]: print(f"  {name}: {line}", file=sys.stderr)
    sys.exit(1)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def iridium_run(*args, timeout=15):
    return subprocess.run([iridium, *args, "--data-root-dir", work], capture_output=True, text=True, env=env, timeout=timeout)

def live(port):
    out = iridium_run("members", f"127.0.0.1:{port}", "--timeout-ms", "5000")
    return out.returncode, [line.split()[0] for line in out.stdout.splitlines() if line.split()[3:4] in (["self"], ["up"])]

class Flood:
    """The attacker: CONCURRENT stalled connections from ATTACKER to port, each reopened when dropped."""
    def __init__(self, port):
        self.port, self.opened, self.stop = port, 0, threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self.main()), daemon=True)
        self.thread.start()
    async def one(self):
        while not self.stop.is_set():
            writer = None
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(ATTACKER, 0))
                self.opened += 1
                writer.write(b"\x01"); await writer.drain()
                while not self.stop.is_set():
                    try:
                        if not await asyncio.wait_for(reader.read(256), 0.5): break
                    except asyncio.TimeoutError:
                        pass
            except OSError:
                await asyncio.sleep(0.01)
            finally:
                if writer is not None: writer.close()
    async def main(self):
        await asyncio.gather(*(self.one() for _ in range(CONCURRENT)))
    def end(self):
        self.stop.set(); self.thread.join(timeout=20)
        return self.opened

try:
    a_port, b_port, repl_port = free_port(), free_port(), free_port()
    for name, args in (("a", ["-P", str(a_port), "-r", "-p", str(repl_port)]), ("b", ["-P", str(b_port), "--join", f"127.0.0.1:{a_port}"])):
        procs.append(subprocess.Popen([iridium, "node", "--node-alias", name, *args, "--data-root-dir", work],
                                      stdout=subprocess.DEVNULL, stderr=open(f"{work}/{name}.log", "w"), env=env))
    while live(a_port) != (0, ["a", "b"]):
        if time.time() > deadline: fail("a and b did not mesh")
        time.sleep(0.1)

    # The cluster port.
    flood = Flood(a_port)
    time.sleep(2)
    answered = 0
    for _ in range(QUERIES):
        status, members = live(a_port)
        if status == 0 and members == ["a", "b"]: answered += 1
    time.sleep(3.5)  # longer than the failure timeout (3 s): a starved heartbeat would show now
    opened = flood.end()
    downs = [line for name in ("a", "b") for line in open(f"{work}/{name}.log", errors="replace") if "node down" in line]
    print(f"cluster port: {opened} connections opened by the flood from {ATTACKER}; `members` answered {answered} of {QUERIES}; node down lines: {len(downs)}")
    if opened < CONCURRENT: failures.append(f"the flood opened only {opened} connections")
    if answered < 9: failures.append(f"`members` answered only {answered} of {QUERIES} times during the flood")
    if downs: failures.append(f"a peer was marked down during the flood: {downs[0].strip()}")
    if not failures: print("ok: under the flood, members queries are answered and the peers stay up")

    # The remote REPL port: idle strangers on the users' own address, and the flood.
    idle = [socket.create_connection(("127.0.0.1", repl_port)) for _ in range(40)]
    flood = Flood(repl_port)
    time.sleep(2)
    logged_in = 0
    for _ in range(QUERIES):
        out = iridium_run("remote", f"127.0.0.1:{repl_port}", "-c", "hlt")
        if out.returncode == 0 and "VM stopped: code 0" in out.stdout: logged_in += 1
        else: print(f"  remote: exit {out.returncode}: {(out.stderr or out.stdout).strip()[:200]}")
    opened = flood.end()
    for s in idle: s.close()
    print(f"remote REPL port: 40 idle connections and {opened} from the flood; logins that ran a line: {logged_in} of {QUERIES}")
    if logged_in < QUERIES: failures.append(f"only {logged_in} of {QUERIES} correct logins worked")
    else: print("ok: idle and flooding strangers never make a correct login fail")
    if failures: fail("; ".join(failures))
finally:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill(); p.wait()
PYTHON
