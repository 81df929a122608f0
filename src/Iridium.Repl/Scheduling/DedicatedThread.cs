namespace Iridium.Repl.Scheduling;

/// <summary>
/// Where VM runs execute: a run is CPU-bound and may last long, so it gets its own thread rather
/// than a thread-pool thread. A pool thread held by a VM would be missing for the I/O that must
/// go on meanwhile, such as reading a remote session's interrupt while its program runs.
/// </summary>
internal static class DedicatedThread
{
    public static Task<T> Run<T>(Func<T> work)
        => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
