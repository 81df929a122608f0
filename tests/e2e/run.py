#!/usr/bin/env python3
"""Runs the end-to-end tests of the published `iridium` binary: every tests/e2e/test_*.py, or the
ones named. It builds nothing: publish first (dotnet publish src/Iridium.Cli -c Release -o
artifacts), or point IRIDIUM_BIN at a binary.

    python3 tests/e2e/run.py                                    every test
    python3 tests/e2e/run.py cli exec                           the modules test_cli, test_exec
    python3 tests/e2e/run.py test_cli.CliTests.test_usage_errors one test (or one class)

The last line is the total, "N passed, N failed" (", N skipped" when some were); the exit status
is 0 when nothing failed, 1 otherwise, 2 when there is no binary or a name matches nothing.
"""
import importlib.util
import os
import signal
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402  (after the path: the tests import it the same way)


def load(names):
    loader = unittest.TestLoader()
    if not names:
        return loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    suite = unittest.TestSuite()
    for name in names:
        # "cli" is short for the module test_cli; "cli.CliTests.test_x" likewise.
        if not name.startswith("test_"):
            name = "test_" + name
        module = name.split(".")[0]
        if importlib.util.find_spec(module) is None:
            raise LookupError(f"no test module {module} (tests/e2e/{module}.py)")
        suite.addTest(loader.loadTestsFromName(name))
    return suite


def interrupt(*_):
    raise KeyboardInterrupt


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__.strip())
        return 0
    if not os.access(harness.BIN, os.X_OK):
        print(
            f"run.py: no iridium binary at {harness.BIN}: publish it first "
            "(dotnet publish src/Iridium.Cli -c Release -o artifacts) or set IRIDIUM_BIN",
            file=sys.stderr,
        )
        return 2
    try:
        suite = load(argv)
    except (ImportError, AttributeError, LookupError) as error:
        print(f"run.py: {error}", file=sys.stderr)
        return 2
    # A name the loader could not import becomes a failing placeholder test: say so plainly.
    if suite.countTestCases() == 0:
        print("run.py: no tests matched", file=sys.stderr)
        return 2
    # SIGTERM ends the run like Ctrl-C (unittest records any other exception, SystemExit included,
    # as one test's error and goes on): the harness then kills every process by PID on exit.
    signal.signal(signal.SIGTERM, interrupt)
    print(f"iridium under test: {harness.BIN}", flush=True)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    # A test counts once however many of its subTests failed.
    failed = len(
        {getattr(test, "test_case", test).id() for test, _ in result.failures + result.errors}
        | {test.id() for test in result.unexpectedSuccesses}
    )
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    for test, _ in result.expectedFailures:
        print(f"known failure (marked expectedFailure): {test.id()}")
    for test in result.unexpectedSuccesses:
        print(f"unexpected success (remove its expectedFailure marker): {test.id()}")
    total = f"{passed} passed, {failed} failed"
    if skipped:
        total += f", {skipped} skipped"
    print(total, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
