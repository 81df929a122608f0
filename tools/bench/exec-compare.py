"""`iridium exec` of several builds against each other: exec - run p50, exec p50 and run p50.

exec-bench.sh measures one build; comparing two of its runs compares two clusters and two files
as much as two builds. Here every epoch copies each build to a fresh file at a path of the same
length for all (the length changes between epochs), starts a fresh pair of nodes per build, and
interleaves the builds round by round. On this 2-core virtual machine the same binary at two paths
differed by 0.45 ms and two clusters of one build by 0.3 ms, more than the differences measured.
"""
import argparse, os, random, shutil, signal, subprocess, tempfile, time, importlib.util

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("exec_bench", os.path.join(here, "exec-bench.py"))
exec_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(exec_bench)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="+", help="iridium binaries; the first is the reference")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--rounds", type=int, default=60, help="rounds per epoch")
    args = ap.parse_args()
    builds = [os.path.abspath(b) for b in args.builds]
    tags = [f"b{i + 1}" for i in range(len(builds))]
    diffs, runs, execs = ({t: [] for t in tags} for _ in range(3))
    for epoch in range(args.epochs):
        root = tempfile.mkdtemp(prefix="exec-compare-")
        nodes, setups = [], []
        try:
            for tag, build in random.sample(list(zip(tags, builds)), len(builds)):
                folder = os.path.join(root, tag, "c" + "x" * (3 * epoch))
                os.makedirs(folder)
                exe = os.path.join(folder, "iridium")
                shutil.copyfile(build, exe)
                os.chmod(exe, 0o755)
                data = ["--data-root-dir", os.path.join(root, tag, "data")]
                base = exec_bench.free_base(2)
                for i in range(2):
                    cmd = [exe, "node", "--node-alias", f"node{i + 1}", "-P", str(base + i)] + data
                    if i:
                        cmd += ["--join", f"127.0.0.1:{base}"]
                    nodes.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
                    time.sleep(0.3)
                image = os.path.join(root, tag, "empty.ir")
                with open(os.path.join(root, tag, "empty.iasm"), "w") as f:
                    f.write(".data\n.code\nhlt\n")
                subprocess.run([exe, "asm", os.path.join(root, tag, "empty.iasm"), "-o", image], check=True)
                setups.append((tag, [exe, "run", image], [exe, "exec", f"127.0.0.1:{base}", image, "--on", "node2"] + data))
            time.sleep(3)  # node2's first heartbeat announces exec
            for _, _, execute in setups:
                for _ in range(10):
                    exec_bench.timed(execute)
            for _ in range(args.rounds):
                for tag, run, execute in random.sample(setups, len(setups)):
                    r = exec_bench.timed(run)
                    e = exec_bench.timed(execute)
                    runs[tag].append(r); execs[tag].append(e); diffs[tag].append(e - r)
        finally:
            for node in nodes:
                node.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            shutil.rmtree(root, ignore_errors=True)
    ms = lambda values: exec_bench.pct(values, 50) * 1000
    print(f"## exec against run, {args.epochs} epochs x {args.rounds} rounds, fresh copies and clusters each epoch\n")
    print("| build | exec - run p50 (ms) | vs b1 | exec p50 (ms) | vs b1 | run p50 (ms) |\n|---|---:|---:|---:|---:|---:|")
    for tag, build in zip(tags, builds):
        print(f"| {tag} {build} | {ms(diffs[tag]):.2f} | {ms(diffs[tag]) - ms(diffs[tags[0]]):+.2f} "
              f"| {ms(execs[tag]):.2f} | {ms(execs[tag]) - ms(execs[tags[0]]):+.2f} | {ms(runs[tag]):.2f} |")


main()
