namespace Iridium.Vm;

/// <summary>
/// A SPAWN or WHERE waiting for another member's answer (see <see cref="PendingAnswer"/>): the
/// process found or started, or null.
/// </summary>
public sealed class RemoteCall : PendingAnswer
{
    internal RemoteCall(Process caller) : base(caller)
    {
    }

    /// <summary>The process found or started (a stand-in); null when refused or not found.</summary>
    public Process? Result { get; private set; }

    /// <summary>The answer: wakes the caller. Later calls are ignored (an answer after the timeout, say).</summary>
    public void Complete(Process? result)
    {
        if (!TryClaim()) return;
        Result = result;
        Deliver();
    }
}
