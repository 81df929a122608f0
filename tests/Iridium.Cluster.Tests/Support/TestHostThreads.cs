using System.Runtime.CompilerServices;

namespace Iridium.Cluster.Tests.Support;

/// <summary>
/// The test host (vstest plus xunit) keeps thread-pool threads blocked on its own work. On our
/// 2-core machines the pool starts with 2 threads, so the timer and socket callbacks of the nodes
/// under test could wait about a second for the pool to grow, and a quiet but healthy peer would
/// be marked down. A real node process has no such blockers (the same scenario passes in a plain
/// console program, tests/e2e/test_cluster.py and tools/bench), so the tests start the pool larger.
/// </summary>
internal static class TestHostThreads
{
#pragma warning disable CA2255 // a module initializer is the one place that runs before any test
    [ModuleInitializer]
    internal static void StartWithEnoughThreads()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
    }
#pragma warning restore CA2255
}
