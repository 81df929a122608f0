"""The Kubernetes manifests (deploy/kubernetes/*.yaml) against the binary: the Service is headless
and selects the StatefulSet's pods on the container's port; the node's --join is
dns:<service>.$(POD_NAMESPACE).svc.cluster.local:<port>; every $(VAR) the args use is defined in env
(pod fields, and the cookie from a Secret as IRIDIUM_COOKIE); every flag they use is one
`iridium node --help` lists. Then the container's args run for real, as the pod would (pod fields
filled in; this machine's loopback and a free port; the DNS name replaced by localhost, resolved
through /etc/hosts like any name), until the node listens, and the readiness probe's command runs
against it: it must exit 0 listing the node as self. Needs PyYAML (python3-yaml)."""
import os
import re
import unittest

import harness
from harness import ROOT, E2ETestCase, free_port, iridium, wait_for

try:
    import yaml
except ImportError:
    yaml = None

MANIFESTS = os.path.join(ROOT, "deploy", "kubernetes")


def flags_in_help(command):
    out = iridium(command, "--help")
    if out.returncode != 0:
        raise AssertionError(f"iridium {command} --help exited {out.returncode}")
    return set(re.findall(r"--[a-z][a-z-]*", out.stdout))


class KubernetesTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.assertIsNotNone(yaml, "PyYAML is missing (apt-get install python3-yaml)")
        documents = []
        for name in sorted(os.listdir(MANIFESTS)):
            if name.endswith((".yaml", ".yml")):
                with open(os.path.join(MANIFESTS, name)) as f:
                    documents += [d for d in yaml.safe_load_all(f) if d]
        self.by_kind = {}
        for d in documents:
            self.by_kind.setdefault(d["kind"], []).append(d)
        counts = sorted((k, len(v)) for k, v in self.by_kind.items())
        self.assertEqual(len(self.by_kind.get("Service", [])), 1, f"expected one Service: {counts}")
        self.assertEqual(len(self.by_kind.get("StatefulSet", [])), 1, f"expected one StatefulSet: {counts}")
        self.service, self.stateful_set = self.by_kind["Service"][0], self.by_kind["StatefulSet"][0]
        self.pod = self.stateful_set["spec"]["template"]
        self.container = self.pod["spec"]["containers"][0]
        self.labels = self.pod["metadata"]["labels"]
        self.port = {p["name"]: p["containerPort"] for p in self.container["ports"]}["cluster"]
        self.args = [str(a) for a in self.container["args"]]
        self.options = dict(zip(self.args[1::2], self.args[2::2]))
        self.probe = [str(a) for a in self.container["readinessProbe"]["exec"]["command"]]

    def test_disruption_budget_selects_the_pods(self):
        for budget in self.by_kind.get("PodDisruptionBudget", []):
            selector = budget["spec"]["selector"]["matchLabels"]
            self.assertTrue(
                all(self.labels.get(k) == v for k, v in selector.items()),
                f"the PodDisruptionBudget {budget['metadata']['name']} does not select the StatefulSet's pods",
            )

    def test_service_selects_the_pods(self):
        # Headless, lists pods before they are ready, selects these pods, on their port.
        svc = self.service["spec"]
        self.assertEqual(svc.get("clusterIP"), "None", "the Service is not headless (clusterIP: None)")
        self.assertTrue(
            svc.get("publishNotReadyAddresses"),
            "the Service does not publish not-ready pods: the first pods could never find each other",
        )
        self.assertTrue(
            all(self.labels.get(k) == v for k, v in svc["selector"].items()),
            f"the Service's selector {svc['selector']} does not match the pods' labels {self.labels}",
        )
        self.assertEqual(
            self.stateful_set["spec"]["serviceName"],
            self.service["metadata"]["name"],
            "the StatefulSet's serviceName is not the Service",
        )
        self.assertIn(
            svc["ports"][0]["targetPort"],
            ("cluster", self.port),
            "the Service's targetPort is not the container's cluster port",
        )

    def test_args_are_known_flags(self):
        self.assertEqual(self.args[0], "node", "the container does not run node")
        self.assertTrue(
            len(self.args[1:]) % 2 == 0 and all(k.startswith("--") for k in self.options),
            f"the args are not --flag value pairs: {self.args}",
        )
        self.assertEqual(set(self.options) - flags_in_help("node"), set(), "flags that iridium node does not accept")
        expected_join = f"dns:{self.service['metadata']['name']}.$(POD_NAMESPACE).svc.cluster.local:{self.port}"
        self.assertEqual(self.options.get("--join"), expected_join)
        self.assertEqual(
            self.options.get("--server-bind-port"), str(self.port), "the node must listen on the container port"
        )
        self.assertEqual(self.options.get("--advertise-host"), "$(POD_IP)", "the node must advertise the pod IP")
        mounts = {m["name"]: m["mountPath"] for m in self.container["volumeMounts"]}
        self.assertEqual(
            self.options.get("--data-root-dir"), mounts.get("data"), "the data root is not the data volume"
        )

    def test_variables_are_defined(self):
        # Every $(VAR) is defined; the pod fields come from the downward API, the cookie from a Secret.
        env = {e["name"]: e for e in self.container["env"]}
        for var in set(re.findall(r"\$\(([A-Z_]+)\)", " ".join(self.args))):
            self.assertIn(var, env, f"the args use $({var}), which env does not define")
        for var, path in {
            "POD_NAME": "metadata.name",
            "POD_NAMESPACE": "metadata.namespace",
            "POD_IP": "status.podIP",
        }.items():
            self.assertEqual(
                env[var]["valueFrom"]["fieldRef"]["fieldPath"], path, f"{var} is not the downward API's {path}"
            )
        self.assertIn(
            "secretKeyRef",
            env.get("IRIDIUM_COOKIE", {}).get("valueFrom", {}),
            "IRIDIUM_COOKIE does not come from a Secret",
        )

    def test_readiness_probe_is_members_of_the_pod(self):
        self.assertEqual(
            self.probe[:3],
            ["/iridium", "members", f"127.0.0.1:{self.port}"],
            "the readiness probe is not `iridium members` against the pod itself",
        )
        self.assertEqual(
            {a for a in self.probe if a.startswith("--")} - flags_in_help("members"),
            set(),
            "flags that iridium members does not accept",
        )

    def test_args_start_a_node_the_probe_finds_ready(self):
        # The args for real: as Kubernetes fills them in, then moved onto this machine.
        test_port = free_port()
        data = self.path("data")
        os.makedirs(data)
        pod_fields = {"POD_NAME": "iridium-0", "POD_NAMESPACE": "default", "POD_IP": "127.0.0.1"}
        real = [re.sub(r"\$\(([A-Z_]+)\)", lambda m: pod_fields[m.group(1)], a) for a in self.args]
        real = [
            a.replace(f"dns:iridium.default.svc.cluster.local:{self.port}", f"dns:localhost:{test_port}") for a in real
        ]
        real = [str(test_port) if a == str(self.port) else a for a in real]
        real[real.index("--server-bind-host") + 1] = "127.0.0.1"
        real[real.index("--data-root-dir") + 1] = data
        env = dict(os.environ, IRIDIUM_COOKIE="kubernetes-test-cookie")
        node = self.start(*real, log="node", env=env)
        wait_for(
            lambda: "listening on" in self.read("node.log") or node.poll() is not None,
            30,
            f"the node starts with the manifest's args ({' '.join(real)})",
        )
        self.assertIsNone(node.poll(), f"the node did not start with the manifest's args ({' '.join(real)})")
        command = [f"127.0.0.1:{test_port}" if a == self.probe[2] else a for a in self.probe[1:]]
        ready = iridium(*command, env=env, timeout=30)
        self.assertEqual(ready.returncode, 0, f"the readiness probe failed: {ready.stdout}{ready.stderr}")
        self.assertRegex(
            ready.stdout, re.compile(r"^iridium-0 .* self ", re.M), "the readiness probe does not list the node as self"
        )
        self.assertEqual(
            harness.stop(node, timeout=10), 0, "the node's status on SIGTERM (or it did not leave within 10 s)"
        )
        self.assertNotIn("round of seed dials failed", self.read("node.log"), "the dns: seed failed")


if __name__ == "__main__":
    unittest.main()
