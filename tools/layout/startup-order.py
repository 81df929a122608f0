"""Turns callgrind runs of `iridium` commands into ILC's method order file.

Reads callgrind output files (each a command started from scratch), takes every function they
name in order of first appearance, and writes the binary's symbol names for those functions, one
per line: callgrind reports one name per address and the symbol table may hold several (a C
export and its managed name), so every name at that address is written and ILC uses the one it
knows. Names ILC does not know (the C runtime, functions since removed) are skipped by it.
Usage: startup-order.py BINARY_WITH_SYMBOLS CALLGRIND_OUT... > startup.order
"""
import re
import subprocess
import sys
from collections import defaultdict


def symbols(binary):
    by_name, by_address = {}, defaultdict(list)
    listing = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tTwW":
            address = int(parts[0], 16)
            by_name[parts[2]] = address
            by_address[address].append(parts[2])
    return by_name, by_address


def main():
    binary, runs = sys.argv[1], sys.argv[2:]
    by_name, by_address = symbols(binary)
    seen, order = set(), []
    for path in runs:
        with open(path) as f:
            for line in f:
                match = re.match(r"c?fn=\(\d+\) (.*)$", line.rstrip("\n"))
                if not match:
                    continue
                name = match.group(1).split("'")[0]  # callgrind marks recursion levels as name'2
                if name not in by_name:
                    continue
                for alias in by_address[by_name[name]]:
                    if alias not in seen:
                        seen.add(alias)
                        order.append(alias)
    sys.stdout.write("\n".join(order) + "\n")


main()
