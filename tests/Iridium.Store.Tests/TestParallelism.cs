// Each test class here runs three Raft voters on election timeouts of a few hundred milliseconds.
// Run side by side on a loaded 2-core machine, their elections starve each other: a voter restarted
// empty was seen not to catch up within 30 s (twice in six whole-suite runs under load, never with
// the classes one after another). One class at a time keeps the timing the tests are about.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
