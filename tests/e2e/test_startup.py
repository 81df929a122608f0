"""Start-up of the published binary, checked without timing (the machine is shared, timings move).

The project holds `iridium run` to 1.1x the start-up of a bare Native AOT hello world, and `run`
loads nothing of the cluster, the store or the crypto. Most of what start-up costs beyond the
hello's is the runtime allocating, before Main and for every command, a static base for each type
of the image that has static reference fields (about 1,100 x86 instructions each; a hello has 76).
tools/bench/startup.sh measures the times; these tests hold what decides them:

- the number of those static bases, read from the binary's symbols (iridium.dbg, which the publish
  writes next to it): a new generic instantiation over many types, or a registration table, shows
  here long before it shows in a timing;
- what runs for `iridium run` of an empty program, under callgrind: no function of the cluster,
  the store, the crypto, DotNext, BouncyCastle or MemoryPack, and the instruction count under a
  ceiling.
"""
import bisect
import os
import re
import shutil
import subprocess
import unittest

from harness import BIN, E2ETestCase, iridium

# Static bases in the image (__GCSTATICS symbols but their pre-initialised data): 2,117 before
# MemoryPack's registry compiled away (src/Iridium.Cli/Trimming/MemoryPack.Substitutions.xml),
# 1,585 after. The ceiling leaves room for ordinary growth; passing it means a change added
# hundreds of types with static reference fields, each paid by every command at start.
STATIC_BASES_CEILING = 1_700

# x86 instructions of `iridium run` of an empty .ir under callgrind: 3.55 M with 2,117 static
# bases, 2.93 M with 1,585 (a bare AOT hello world: 1.26 M on the same machine). The ceiling is
# about 10% above today's count, so a library's start-up work or a few hundred static bases fail it.
RUN_INSTRUCTIONS_CEILING = 3_250_000

# 64 KiB runs of the binary's code that `run` of an empty program executes in (see the test).
RUN_CODE_CHUNKS_CEILING = 16

# Symbol prefixes (ILC's mangled names: assembly, then namespace) of code `run` must not execute.
NOT_FOR_RUN = re.compile(r"(Iridium_Cluster|Iridium_Store|Iridium_Crypto|BouncyCastle|DotNext|MemoryPack)_")

# Instructions of the largest body ILC folds and names after any one of the methods that share it
# (see the test); any real work of a library costs more.
TRIVIAL_BODY = 16


def symbols():
    """(address, name) of every symbol of the binary's debug file, sorted, or None without one or without nm."""
    debug = os.path.splitext(BIN)[0] + ".dbg"
    if not os.path.exists(debug) or shutil.which("nm") is None:
        return None
    listing = subprocess.run(["nm", debug], capture_output=True, text=True, check=True).stdout
    found = []
    for line in listing.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[0]:
            found.append((int(parts[0], 16), parts[2]))
    return sorted(found)


def is_position_independent(path):
    """Whether the ELF file is a shared object (PIE): its addresses then differ from run to run."""
    with open(path, "rb") as f:
        header = f.read(18)
    return int.from_bytes(header[16:18], "little") == 3  # e_type: ET_DYN


class StartupTests(E2ETestCase):
    def setUp(self):
        super().setUp()
        self.symbols = symbols()
        if self.symbols is None:
            self.skipTest("no iridium.dbg next to the binary, or no nm")

    def test_the_static_bases_allocated_before_main_stay_under_the_ceiling(self):
        bases = [name for _, name in self.symbols
                 if name.startswith("__GCSTATICS") and not name.endswith("__PreInitData")]
        self.assertGreater(len(bases), 76, "the count is read from the binary's symbols")
        self.assertLessEqual(
            len(bases), STATIC_BASES_CEILING,
            f"{len(bases)} static bases (ceiling {STATIC_BASES_CEILING}); the commonest kinds: "
            + ", ".join(f"{kind} {n}" for kind, n in self.kinds(bases)[:8]))

    def test_run_of_an_empty_program_runs_nothing_of_the_cluster_store_or_crypto(self):
        executed, instructions = self.profile_run_of_an_empty_program()
        self.assertGreater(len(executed), 100, "callgrind named the functions that ran")
        self.assertTrue(any("StartupCodeMain" in name for names in executed for name in names))
        # ILC folds identical method bodies into one function under one of their names, so a
        # trivial body CoreLib runs (a getter, a thunk) can be named after a DotNext method. Code
        # of those libraries runs for real when one of their static constructors runs, or when a
        # function named only after them costs more than such a body.
        # A delegate's constructor stub is named after its target but runs none of it (the node
        # settings' schema, which run reads, holds a check of the cluster's).
        ran = sorted(names[0] for names, cost in executed.items()
                     if all(NOT_FOR_RUN.search(n) and not n.startswith("__DelegateCtor_") for n in names)
                     and (cost > TRIVIAL_BODY or any("__cctor" in n for n in names)))
        self.assertEqual(ran, [], "run of an empty program executed cluster, store or crypto code")
        self.assertLessEqual(
            instructions, RUN_INSTRUCTIONS_CEILING,
            f"run of an empty program: {instructions:,} instructions (ceiling {RUN_INSTRUCTIONS_CEILING:,})")

    def test_what_run_executes_is_laid_out_together(self):
        # src/Iridium.Cli/startup.order puts the functions commands run at start first: `run`
        # then maps a few 64 KiB runs of code rather than one in every few of the binary's five
        # megabytes (each a page fault, about 20 µs on a virtual machine with shadow page tables).
        # Without the order, run of an empty program executed code in 45 such runs; with it, 12.
        executed, _ = self.profile_run_of_an_empty_program()
        names_at = {name: address for address, name in self.symbols}
        chunks = {names_at[names[0]] >> 16 for names in executed}
        self.assertLessEqual(
            len(chunks), RUN_CODE_CHUNKS_CEILING,
            f"run of an empty program executed code in {len(chunks)} 64 KiB runs (ceiling {RUN_CODE_CHUNKS_CEILING}): "
            "is src/Iridium.Cli/startup.order still the binary's IlcOrderFile, and up to date (tools/layout/startup-order.sh)?")

    def profile_run_of_an_empty_program(self):
        """Runs `iridium run` of an empty program under callgrind: executed_functions of it."""
        if shutil.which("valgrind") is None:
            self.skipTest("no valgrind")
        if is_position_independent(BIN):
            self.skipTest("a position-independent binary: callgrind's addresses are not the symbols'")
        # A copy without iridium.dbg beside it: this valgrind cannot read its DWARF 5 and gives up.
        binary = self.path("iridium")
        shutil.copy(BIN, binary)
        program = self.write("empty.iasm", ".data\n.code\nhlt\n")
        image = self.path("empty.ir")
        self.assertEqual(iridium("asm", program, "-o", image).returncode, 0)

        profile = self.path("callgrind.out")
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}", "--compress-strings=no",
             binary, "run", image],
            capture_output=True, text=True, timeout=300)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        return self.executed_functions(profile, binary)

    def executed_functions(self, profile, binary):
        """The binary's functions callgrind saw run, each as the tuple of its names (a symbol's
        address can carry several) with its inclusive instruction count, and the total."""
        names_at = {}
        for address, name in self.symbols:
            names_at.setdefault(address, []).append(name)
        addresses = sorted(names_at)
        report = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=yes", profile],
                                capture_output=True, text=True, check=True).stdout
        line_pattern = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+(.*?)(?: \[(.*)\])?$")
        executed, total = {}, None
        for line in report.splitlines():
            match = line_pattern.match(line)
            if not match:
                continue
            cost, function, obj = int(match.group(1).replace(",", "")), match.group(2), match.group(3)
            if function == "PROGRAM TOTALS":
                total = cost
            elif obj in (binary, "???") and function.startswith("???:0x"):
                # Managed code is in no object callgrind knows ("???"), the runtime in the binary.
                # "0x4063b0'2": callgrind marks a recursion level after the quote.
                index = bisect.bisect_right(addresses, int(function[4:].split("'", 1)[0], 16)) - 1
                if index >= 0:
                    names = tuple(names_at[addresses[index]])
                    executed[names] = max(cost, executed.get(names, 0))
        self.assertIsNotNone(total, "callgrind_annotate printed the total")
        return executed, total

    @staticmethod
    def kinds(bases):
        """Static bases by the generic type or namespace they belong to, commonest first."""
        counts = {}
        for name in bases:
            kind = name[len("__GCSTATICS"):].split("<", 1)[0]
            counts[kind] = counts.get(kind, 0) + 1
        return sorted(counts.items(), key=lambda item: -item[1])


if __name__ == "__main__":
    unittest.main()
