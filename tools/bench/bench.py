#!/usr/bin/env python3
"""Interpreter benchmarks: the programs in programs/ under iridium, lua5.4, luajit -joff and, for
reference, luajit with its JIT and C -O2, in one interleaved run (round after round, every program
under every implementation, so a busy moment hurts all of them alike). Each run's output must be
the answer the .iasm file states ("; Prints N."), for every implementation. Times are CPU time
(user + system) of the process, start-up included; the table shows medians and ratios
(other's time / iridium's time: above 1, iridium is faster) and the chart the same ratios.
Then start-up: `iridium run` of an empty program and `iridium --version` against a bare Native
AOT hello world built with the same SDK and target framework.

Called by run.sh, which builds and installs what this needs."""

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
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


def implementations(args):
    """(key, label, command for a benchmark name). iridium first: ratios are against it."""
    return [
        ("iridium", "iridium", lambda n: [args.iridium, "run", os.path.join(args.work, n + ".ir")]),
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


def measure_startup(args):
    """Median wall milliseconds of trivial processes, interleaved."""
    commands = {
        "iridium run (empty program)": [args.iridium, "run", os.path.join(args.work, "empty.ir")],
        "iridium --version": [args.iridium, "--version"],
        "bare AOT hello world": [args.hello],
        "lua5.4 -e ''": ["lua5.4", "-e", ""],
    }
    samples = {label: [] for label in commands}
    for _ in range(args.startup_runs):
        for label, command in commands.items():
            _, wall, _, status = run_once(command)
            if status != 0:
                sys.exit(f"start-up command failed: {' '.join(command)}")
            samples[label].append(wall * 1000)
    return {label: statistics.median(values) for label, values in samples.items()}


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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iridium", required=True)
    parser.add_argument("--hello", required=True)
    parser.add_argument("--programs", required=True)
    parser.add_argument("--work", required=True, help="directory with the .ir images, C binaries and empty.ir")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=40)
    parser.add_argument("--svg", required=True)
    parser.add_argument("--json", help="also write the raw times here")
    args = parser.parse_args()

    impls = implementations(args)
    load_before = os.getloadavg()
    times, mismatches = run_benchmarks(args, impls)
    startup = measure_startup(args)
    load_after = os.getloadavg()
    medians = {name: {key: statistics.median(values) for key, values in per.items()} for name, per in times.items()}

    print(f"Machine: {machine_description()}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
          f"{args.runs} interleaved rounds, medians of CPU time (user + system), start-up included.")
    print()
    print(table(impls, medians))
    print()
    print("Ratio = other's time / iridium's time (above 1: iridium is faster).")
    print()
    hello = startup["bare AOT hello world"]
    print("| start-up (median wall time) | ms | vs bare AOT hello |")
    print("|---|---:|---:|")
    for label, ms in startup.items():
        print(f"| {label} | {ms:.1f} | {ms / hello:.2f}x |")

    chart.write_svg(args.svg, BENCHMARKS, [(key, label) for key, label, _ in impls], medians)
    print(f"\nchart: {args.svg}", file=sys.stderr)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"times": times, "medians": medians, "startup_ms": startup}, f, indent=1)

    if mismatches:
        print("\nWRONG ANSWERS:", file=sys.stderr)
        for line in mismatches:
            print("  " + line, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
