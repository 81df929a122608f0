#!/usr/bin/env python3
"""Interpreter benchmarks: the programs in programs/ under iridium (plain, with a step budget, and in
1,000-step slices), lua5.4, luajit -joff and, for reference, luajit with its JIT and C -O2, in one
interleaved run (round after round, every program under every implementation, so a busy moment
hurts all of them alike). Each run's output must be the answer the .iasm file states ("; Prints
N."), for every implementation. Times are CPU time (user + system) of the process, start-up
included; the table shows medians and ratios (other's time / iridium's time: above 1, iridium is
faster), what a budget and 1,000-step slices cost against the plain run, and the chart the ratios.
Then start-up: `iridium run` of an empty program (as source and as an image) and `iridium
--version` against a bare Native AOT hello world built with the same SDK and target framework:
medians of many interleaved runs (wall and CPU time), and, when valgrind is installed, the x86
instructions each executes (callgrind), which stay steady on a busy machine.

Called by run.sh, which builds and installs what this needs; with --startup-only (startup.sh) only
the start-up table is measured."""

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import chart

BENCHMARKS = ["loop", "fib", "sieve", "tak", "sort", "mandel"]
WHAT = {
    "loop": "10^8 inc/lt/djmpe",
    "fib": "recursive fib(35)",
    "sieve": "primes below 4,000,000 (heap)",
    "tak": "tak(26, 18, 9): 3 arguments, stack",
    "sort": "insertion sort of 8,000 words (heap)",
    "mandel": "Mandelbrot 640x480 (floats)",
}


# A budget no benchmark reaches: the run counts every step against it.
BUDGET = "1000000000000"
# The slice a scheduler would give a process: the run leaves and re-enters the interpreter every 1,000 steps.
SLICE = "1000"


def implementations(args):
    """(key, label, command for a benchmark name). iridium first: ratios are against it. A plain
    `iridium run` is interruptible (Ctrl-C); the budgeted and sliced runs are measured against it."""
    return [
        ("iridium", "iridium", lambda n: [args.iridium, "run", os.path.join(args.work, n + ".ir")]),
        ("budgeted", "iridium --max-steps",
         lambda n: [args.iridium, "run", "--max-steps", BUDGET, os.path.join(args.work, n + ".ir")]),
        ("sliced", f"iridium --slice {SLICE}",
         lambda n: [args.iridium, "run", "--slice", SLICE, os.path.join(args.work, n + ".ir")]),
        ("lua54", "lua5.4", lambda n: ["lua5.4", os.path.join(args.programs, n + ".lua")]),
        ("luajit_joff", "luajit -joff", lambda n: ["luajit", "-joff", os.path.join(args.programs, n + ".lua")]),
        ("luajit", "luajit (JIT)", lambda n: ["luajit", os.path.join(args.programs, n + ".lua")]),
        ("c", "C -O2", lambda n: [os.path.join(args.work, n + ".c.bin")]),
    ]


def run_once(command):
    """Runs a command; returns (CPU seconds, wall seconds, stdout, exit status)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stdout.decode("utf-8", "replace").strip(), done.returncode


def expected_answer(programs, name):
    with open(os.path.join(programs, name + ".iasm"), encoding="utf-8") as f:
        match = re.search(r"^; Prints (-?\d+)\.", f.read(), re.MULTILINE)
    if not match:
        sys.exit(f"{name}.iasm does not state its answer ('; Prints N.')")
    return match.group(1)


def run_benchmarks(args, impls):
    answers = {name: expected_answer(args.programs, name) for name in BENCHMARKS}
    times = {name: {key: [] for key, _, _ in impls} for name in BENCHMARKS}
    mismatches = []
    for round_number in range(args.runs):
        for name in BENCHMARKS:
            for key, label, command in impls:
                cpu, _, out, status = run_once(command(name))
                if status != 0 or out != answers[name]:
                    mismatches.append(f"{name} under {label}: printed {out!r} (exit {status}), expected {answers[name]}")
                times[name][key].append(cpu)
        print(f"  round {round_number + 1}/{args.runs} done", file=sys.stderr)
    return times, mismatches


HELLO = "bare AOT hello world"


def startup_commands(args):
    return {
        "iridium run (empty .iasm)": [args.iridium, "run", os.path.join(args.work, "empty.iasm")],
        "iridium run (empty .ir)": [args.iridium, "run", os.path.join(args.work, "empty.ir")],
        "iridium --version": [args.iridium, "--version"],
        HELLO: [args.hello],
        "lua5.4 -e ''": [shutil.which("lua5.4") or "lua5.4", "-e", ""],
    }


def spawn_once(command, devnull):
    """Runs a command with its output discarded; returns (wall ms, CPU ms). posix_spawn and wait4
    keep the measuring process's own work out of the interval as far as Python can."""
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(command[0], command, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"start-up command failed: {' '.join(command)}")
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def measure_startup(args):
    """Median wall and CPU milliseconds of trivial processes, interleaved round by round."""
    commands = startup_commands(args)
    wall = {label: [] for label in commands}
    cpu = {label: [] for label in commands}
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for _ in range(args.startup_runs):
            for label, command in commands.items():
                w, c = spawn_once(command, devnull)
                wall[label].append(w)
                cpu[label].append(c)
    finally:
        os.close(devnull)
    return {label: {"wall_ms": statistics.median(wall[label]), "cpu_ms": statistics.median(cpu[label])} for label in commands}


def count_startup_instructions(args):
    """x86 instructions of each start-up command under callgrind, or None without valgrind.
    Native AOT binaries are copied away from their .dbg files (valgrind 3.19 cannot read their
    DWARF 5), and the GC's address space reservation is made small enough for valgrind."""
    if shutil.which("valgrind") is None:
        return None
    counts = {}
    with tempfile.TemporaryDirectory() as scratch:
        copies = {}
        for path in (args.iridium, args.hello):
            copy = os.path.join(scratch, os.path.basename(path) + "-" + str(len(copies)))
            shutil.copy2(path, copy)
            copies[path] = copy
        env = dict(os.environ, DOTNET_GCRegionRange="40000000")
        for label, command in startup_commands(args).items():
            command = [copies.get(command[0], command[0])] + command[1:]
            done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + command,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False)
            match = re.search(r"Collected : (\d+)", done.stderr.decode("utf-8", "replace"))
            counts[label] = int(match.group(1)) if match else None
    return counts


def startup_table(startup, instructions, sizes):
    """The start-up table: each command's medians and, when counted, its instructions, all against hello's."""
    hello = startup[HELLO]
    header = "| start-up | wall (median) | vs hello | CPU (median) | vs hello |"
    rule = "|---|---:|---:|---:|---:|"
    if instructions:
        header += " x86 instructions | vs hello |"
        rule += "---:|---:|"
    lines = [header, rule]
    for label, t in startup.items():
        row = (f"| {label} | {t['wall_ms']:.2f} ms | {t['wall_ms'] / hello['wall_ms']:.2f}x "
               f"| {t['cpu_ms']:.2f} ms | {t['cpu_ms'] / hello['cpu_ms']:.2f}x |")
        if instructions:
            ours, theirs = instructions.get(label), instructions.get(HELLO)
            row += f" {ours / 1e6:.2f} M | {ours / theirs:.2f}x |" if ours and theirs else " ? | ? |"
        lines.append(row)
    lines.append("")
    lines.append(f"Binary size: iridium {sizes['iridium'] / 1e6:.2f} MB, bare AOT hello world {sizes['hello'] / 1e6:.2f} MB.")
    return "\n".join(lines)


def machine_description():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores"


def table(impls, medians):
    """The markdown table: per benchmark, iridium's median and every other's median and ratio."""
    header = "| benchmark | " + " | ".join(label for _, label, _ in impls) + " |"
    lines = [header, "|---|" + "---:|" * len(impls)]
    for name in BENCHMARKS:
        ours = medians[name]["iridium"]
        cells = [f"{ours * 1000:.0f} ms"]
        for key, _, _ in impls[1:]:
            other = medians[name][key]
            cells.append(f"{other * 1000:.0f} ms ({other / ours:.2f}x)")
        lines.append(f"| {name}: {WHAT[name]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def limits_table(medians):
    """What a budget or slicing costs (the budgeted or sliced run's time / the plain run's: the goal
    is at most 1.10x), and lua5.4 and luajit -joff against the budgeted run (above 1: iridium is faster)."""
    lines = ["| benchmark | budgeted / plain | sliced / plain | lua5.4 / budgeted | luajit -joff / budgeted |",
             "|---|---:|---:|---:|---:|"]
    for name in BENCHMARKS:
        m = medians[name]
        lines.append(f"| {name} | {m['budgeted'] / m['iridium']:.2f}x | {m['sliced'] / m['iridium']:.2f}x "
                     f"| {m['lua54'] / m['budgeted']:.2f}x | {m['luajit_joff'] / m['budgeted']:.2f}x |")
    return "\n".join(lines)


def startup_only(args):
    """The start-up table alone, with the machine's load around the timed runs."""
    load_before = os.getloadavg()
    startup = measure_startup(args)
    load_after = os.getloadavg()
    instructions = count_startup_instructions(args)
    sizes = {"iridium": os.path.getsize(args.iridium), "hello": os.path.getsize(args.hello)}
    print(f"Machine: {machine_description()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after. "
          f"Start-up: {args.startup_runs} interleaved runs of each command, output discarded"
          + ("; instructions counted once each by callgrind." if instructions else " (install valgrind for instruction counts)."))
    print()
    print(startup_table(startup, instructions, sizes))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iridium", required=True)
    parser.add_argument("--hello", required=True)
    parser.add_argument("--startup-only", action="store_true", help="measure start-up only (startup.sh)")
    parser.add_argument("--programs")
    parser.add_argument("--work", required=True, help="directory with the .ir images, C binaries and empty.ir")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=300)
    parser.add_argument("--svg")
    parser.add_argument("--json", help="also write the raw times here")
    args = parser.parse_args()
    if args.startup_only:
        startup_only(args)
        return
    if not args.programs or not args.svg:
        parser.error("--programs and --svg are required unless --startup-only")

    impls = implementations(args)
    load_before = os.getloadavg()
    times, mismatches = run_benchmarks(args, impls)
    startup = measure_startup(args)
    load_after = os.getloadavg()
    instructions = count_startup_instructions(args)
    sizes = {"iridium": os.path.getsize(args.iridium), "hello": os.path.getsize(args.hello)}
    medians = {name: {key: statistics.median(values) for key, values in per.items()} for name, per in times.items()}

    print(f"Machine: {machine_description()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
          f"{args.runs} interleaved rounds, medians of CPU time (user + system), start-up included.")
    print()
    print(table(impls, medians))
    print()
    print("Ratio = other's time / iridium's time (above 1: iridium is faster).")
    print()
    print(f"Budgets and slices: `--max-steps {BUDGET}` counts every step; `--slice {SLICE}` leaves and "
          f"re-enters the interpreter every {SLICE} steps, as a scheduler's slice.")
    print()
    print(limits_table(medians))
    print()
    print(f"Start-up: {args.startup_runs} interleaved runs of each command, output discarded"
          + ("; instructions counted once each by callgrind." if instructions else " (install valgrind for instruction counts)."))
    print()
    print(startup_table(startup, instructions, sizes))

    hello = startup[HELLO]["wall_ms"]
    ours = [t["wall_ms"] / hello for label, t in startup.items() if label.startswith("iridium")]
    footer = (f"Start-up (median wall time, {args.startup_runs} interleaved runs): iridium run of an empty program and "
              f"--version take {min(ours):.2f}x-{max(ours):.2f}x a bare AOT hello's {hello:.1f} ms")
    chart.write_svg(args.svg, BENCHMARKS, [(key, label) for key, label, _ in impls], medians, footer)
    print(f"\nchart: {args.svg}", file=sys.stderr)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"times": times, "medians": medians, "startup": startup, "startup_instructions": instructions,
                       "sizes": sizes}, f, indent=1)

    if mismatches:
        print("\nWRONG ANSWERS:", file=sys.stderr)
        for line in mismatches:
            print("  " + line, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
