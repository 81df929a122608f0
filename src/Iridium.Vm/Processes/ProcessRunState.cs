namespace Iridium.Vm;

/// <summary>Where a process is in its life, as `ps` shows it.</summary>
public enum ProcessRunState : byte
{
    /// <summary>In the run queue, waiting for a scheduler thread.</summary>
    Runnable,
    /// <summary>On a thread now.</summary>
    Running,
    /// <summary>In RECV with nothing to take: holds no thread and consumes no steps.</summary>
    Waiting,
    Ended,
}
