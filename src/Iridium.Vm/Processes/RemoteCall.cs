namespace Iridium.Vm;

/// <summary>
/// A SPAWN or WHERE waiting for another member's answer. The instruction leaves its process
/// waiting (as RECV does, holding no thread) until <see cref="Complete"/>; then it runs again and
/// takes the <see cref="Result"/>. At most one per process: pc stays on the instruction meanwhile.
/// </summary>
public sealed class RemoteCall
{
    internal RemoteCall(Process caller) => Caller = caller;

    public Process Caller { get; }

    /// <summary>The process found or started (a stand-in); null when refused or not found.</summary>
    public Process? Result { get; private set; }

    internal bool IsDone { get; private set; }

    /// <summary>The answer: wakes the caller. Later calls are ignored (an answer after the timeout, say).</summary>
    public void Complete(Process? result) => Caller.CompleteCall(this, result);

    internal void SetResult(Process? result)
    {
        Result = result;
        IsDone = true;
    }
}
