#!/usr/bin/env python3
"""The Kubernetes manifests against the binary (CI). Reads deploy/kubernetes/*.yaml and checks:
the Service is headless and selects the StatefulSet's pods on the container's port; the node's
--join is dns:<service>.$(POD_NAMESPACE).svc.cluster.local:<port>; every $(VAR) the args use is
defined in env (pod fields, and the cookie from a Secret as IRIDIUM_COOKIE); every flag they use
is one `iridium node --help` lists. Then it runs the container's args for real, as the pod would
(pod fields filled in; this machine's loopback and a free port; the DNS name replaced by
localhost, resolved through /etc/hosts like any name), until the node listens, and runs the
readiness probe's command against it: it must exit 0 listing the node as self.
Needs PyYAML (python3-yaml). Bounded (< 30 s); the node is ended by PID on any exit.

Usage: tools/kubernetes-test.py [path/to/iridium]
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    import yaml
except ImportError:
    sys.exit("kubernetes-test: PyYAML is missing (apt-get install python3-yaml)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IRIDIUM = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("IRIDIUM", os.path.join(ROOT, "artifacts/iridium")))
MANIFESTS = os.path.join(ROOT, "deploy/kubernetes")


def fail(message):
    sys.exit(f"FAIL: {message}")


def load():
    documents = []
    for name in sorted(os.listdir(MANIFESTS)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(MANIFESTS, name)) as f:
                documents += [d for d in yaml.safe_load_all(f) if d]
    by_kind = {}
    for d in documents:
        by_kind.setdefault(d["kind"], []).append(d)
    if len(by_kind.get("Service", [])) != 1 or len(by_kind.get("StatefulSet", [])) != 1:
        fail(f"expected one Service and one StatefulSet, found {sorted((k, len(v)) for k, v in by_kind.items())}")
    for budget in by_kind.get("PodDisruptionBudget", []):
        pods = by_kind["StatefulSet"][0]["spec"]["template"]["metadata"]["labels"]
        if any(pods.get(k) != v for k, v in budget["spec"]["selector"]["matchLabels"].items()):
            fail(f"the PodDisruptionBudget {budget['metadata']['name']} does not select the StatefulSet's pods")
    return by_kind["Service"][0], by_kind["StatefulSet"][0]


def flags_in_help(command):
    out = subprocess.run([IRIDIUM, command, "--help"], capture_output=True, text=True, timeout=10)
    if out.returncode != 0:
        fail(f"iridium {command} --help exited {out.returncode}")
    return set(re.findall(r"--[a-z][a-z-]*", out.stdout))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    service, stateful_set = load()
    spec = stateful_set["spec"]
    pod = spec["template"]
    container = pod["spec"]["containers"][0]
    labels = pod["metadata"]["labels"]

    # The Service: headless, lists pods before they are ready, selects these pods, on their port.
    svc = service["spec"]
    if svc.get("clusterIP") != "None":
        fail("the Service is not headless (clusterIP: None)")
    if not svc.get("publishNotReadyAddresses"):
        fail("the Service does not publish not-ready pods: the first pods could never find each other")
    if any(labels.get(k) != v for k, v in svc["selector"].items()):
        fail(f"the Service's selector {svc['selector']} does not match the pods' labels {labels}")
    if spec["serviceName"] != service["metadata"]["name"]:
        fail("the StatefulSet's serviceName is not the Service")
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["cluster"]
    if svc["ports"][0]["targetPort"] not in ("cluster", port):
        fail("the Service's targetPort is not the container's cluster port")

    args = [str(a) for a in container["args"]]
    if args[0] != "node":
        fail(f"the container runs {args[0]}, not node")
    options = dict(zip(args[1::2], args[2::2]))
    if len(args[1:]) % 2 or not all(k.startswith("--") for k in options):
        fail(f"the args are not --flag value pairs: {args}")
    unknown = set(options) - flags_in_help("node")
    if unknown:
        fail(f"flags that iridium node does not accept: {sorted(unknown)}")
    expected_join = f"dns:{service['metadata']['name']}.$(POD_NAMESPACE).svc.cluster.local:{port}"
    if options.get("--join") != expected_join:
        fail(f"--join is {options.get('--join')}, expected {expected_join}")
    if options.get("--server-bind-port") != str(port) or options.get("--advertise-host") != "$(POD_IP)":
        fail("the node must listen on the container port and advertise the pod IP")
    mount = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    if options.get("--data-root-dir") != mount.get("data"):
        fail("the data root is not the data volume")

    # Every $(VAR) is defined; the pod fields come from the downward API, the cookie from a Secret.
    env = {e["name"]: e for e in container["env"]}
    for var in set(re.findall(r"\$\(([A-Z_]+)\)", " ".join(args))):
        if var not in env:
            fail(f"the args use $({var}), which env does not define")
    fields = {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace", "POD_IP": "status.podIP"}
    for var, path in fields.items():
        if env[var]["valueFrom"]["fieldRef"]["fieldPath"] != path:
            fail(f"{var} is not the downward API's {path}")
    if "secretKeyRef" not in env.get("IRIDIUM_COOKIE", {}).get("valueFrom", {}):
        fail("IRIDIUM_COOKIE does not come from a Secret")

    probe = [str(a) for a in container["readinessProbe"]["exec"]["command"]]
    if probe[:2] != ["/iridium", "members"] or probe[2] != f"127.0.0.1:{port}":
        fail(f"the readiness probe is not `iridium members` against the pod itself: {probe}")
    unknown = {a for a in probe if a.startswith("--")} - flags_in_help("members")
    if unknown:
        fail(f"flags that iridium members does not accept: {sorted(unknown)}")
    print(f"ok: the manifests reference only flags the binary accepts ({len(options)} node flags, probe: {' '.join(probe[1:])})")

    # The args for real: as Kubernetes fills them in, then moved onto this machine.
    test_port = free_port()
    with tempfile.TemporaryDirectory() as data:
        pod_fields = {"POD_NAME": "iridium-0", "POD_NAMESPACE": "default", "POD_IP": "127.0.0.1"}
        real = [re.sub(r"\$\(([A-Z_]+)\)", lambda m: pod_fields[m.group(1)], a) for a in args]
        real = [a.replace(f"dns:iridium.default.svc.cluster.local:{port}", f"dns:localhost:{test_port}") for a in real]
        real = [str(test_port) if a == str(port) else a for a in real]
        real[real.index("--server-bind-host") + 1] = "127.0.0.1"
        real[real.index("--data-root-dir") + 1] = data
        environment = dict(os.environ, IRIDIUM_COOKIE="kubernetes-test-cookie")
        with open(os.path.join(data, "node.log"), "w+") as log:
            node = subprocess.Popen([IRIDIUM] + real, stdout=log, stderr=subprocess.STDOUT, env=environment)
            try:
                deadline = time.monotonic() + 15
                while "listening on" not in open(log.name).read():
                    if node.poll() is not None or time.monotonic() > deadline:
                        fail(f"the node did not start with the manifest's args ({' '.join(real)}): {open(log.name).read()}")
                    time.sleep(0.1)
                command = [IRIDIUM] + [f"127.0.0.1:{test_port}" if a == probe[2] else a for a in probe[1:]]
                ready = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=10)
                if ready.returncode != 0 or not re.search(r"^iridium-0 .* self ", ready.stdout, re.M):
                    fail(f"the readiness probe failed ({ready.returncode}): {ready.stdout}{ready.stderr}")
                print("ok: the container's args start a node, and the readiness probe passes against it")
            finally:
                node.send_signal(signal.SIGTERM)
                try:
                    status = node.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    node.kill()
                    node.wait()
                    fail("the node did not leave within 10 s of SIGTERM")
            if status != 0:
                fail(f"the node exited {status} on SIGTERM: {open(log.name).read()}")
            if "round of seed dials failed" in open(log.name).read():
                fail(f"the dns: seed failed: {open(log.name).read()}")
    print("kubernetes-test: passed")


if __name__ == "__main__":
    main()
