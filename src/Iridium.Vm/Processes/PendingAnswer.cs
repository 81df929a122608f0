namespace Iridium.Vm;

/// <summary>
/// An answer an instruction waits for that is not a letter: another member's (<see cref="RemoteCall"/>)
/// or the store's (<see cref="StoreCall"/>). The instruction leaves its process waiting, holding no
/// thread and taking no steps, as RECV does; the answer wakes it, and the instruction runs again to
/// take it. At most one per process (<see cref="Process.PendingCall"/>): pc stays on the instruction.
/// </summary>
public abstract class PendingAnswer
{
    private int _answered;

    private protected PendingAnswer(Process caller) => Caller = caller;

    public Process Caller { get; }

    /// <summary>Set under the caller's lock once the answer is in place: the instruction may take it.</summary>
    internal bool IsDone { get; set; }

    /// <summary>The first answer wins; later ones (an answer after a timeout, say) are ignored.</summary>
    private protected bool TryClaim() => Interlocked.Exchange(ref _answered, 1) == 0;

    /// <summary>The answer is in place: wakes the caller, unless it gave up on this call meanwhile.</summary>
    private protected void Deliver() => Caller.AnswerArrived(this);
}
