namespace Iridium.Vm;

/// <summary>
/// A store instruction waiting for the store's answer (see <see cref="PendingAnswer"/>). The
/// operation runs on whatever thread the store completes it on; its end, whatever it is, wakes the
/// process: a failure or an exception answers <see cref="StoreAnswer.Unavailable"/>.
/// </summary>
public sealed class StoreCall : PendingAnswer
{
    internal StoreCall(Process caller) : base(caller)
    {
    }

    /// <summary>The answer; meaningful once <see cref="PendingAnswer.IsDone"/>.</summary>
    internal StoreReply Reply { get; private set; }

    /// <summary>Starts <paramref name="operation"/> on <paramref name="store"/>; it answers this call when it ends (at once, if it already has).</summary>
    internal void Start(IStoreAccess store, Func<IStoreAccess, ValueTask<StoreReply>> operation)
    {
        ValueTask<StoreReply> answer;
        try
        {
            answer = operation(store);
        }
#pragma warning disable CA1031 // whatever the store throws, the program hears "unavailable", never a crash of its node
        catch (Exception)
#pragma warning restore CA1031
        {
            Complete(StoreReply.Unavailable);
            return;
        }
        if (answer.IsCompletedSuccessfully) Complete(answer.Result);
        else _ = AwaitAsync(answer);
    }

    private async Task AwaitAsync(ValueTask<StoreReply> answer)
    {
        StoreReply reply;
        try
        {
            reply = await answer.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // as in Start
        catch (Exception)
#pragma warning restore CA1031
        {
            reply = StoreReply.Unavailable;
        }
        Complete(reply);
    }

    private void Complete(StoreReply reply)
    {
        if (!TryClaim()) return;
        Reply = reply;
        Deliver();
    }
}
