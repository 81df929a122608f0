using Iridium.Vm;

namespace Iridium.Repl.Tests;

/// <summary>Process runtimes for tests: one scheduler thread, so a VM that held a thread while it waits would stall every other.</summary>
internal static class TestProcesses
{
    public static ProcessRuntime OneThread(int maxProcesses = ProcessLimits.DefaultMaxProcesses)
        => new(new ProcessLimits { Schedulers = 1, MaxProcesses = maxProcesses });
}
