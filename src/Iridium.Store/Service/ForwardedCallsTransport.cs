using Iridium.Store.Raft;

namespace Iridium.Store.Service;

/// <summary>
/// A voter's transport, with the client calls that nodes which are not voters pass to it
/// (<see cref="ForwardedKv"/>, <see cref="ForwardedStatus"/>) answered by its
/// <see cref="StoreService"/>; every other request goes to the Raft member as before. The mesh
/// transport bounds how many requests of one member are answered at once.
/// </summary>
internal sealed class ForwardedCallsTransport(IStoreTransport inner) : IStoreTransport
{
    /// <summary>Set once the voter's store has started; until then forwarded calls are dropped (the caller tries another voter or times out).</summary>
    public StoreService? Service { get; set; }

    public Task<IRaftReply> RequestAsync(string voter, IRaftRequest request, CancellationToken token) => inner.RequestAsync(voter, request, token);

    public void Serve(Func<string, IRaftRequest, CancellationToken, Task<IRaftReply>> handler) =>
        inner.Serve((sender, request, token) => request switch
        {
            ForwardedKv call => AnswerAsync(call, token),
            ForwardedStatus => AnswerStatusAsync(token),
            _ => handler(sender, request, token),
        });

    private async Task<IRaftReply> AnswerAsync(ForwardedKv call, CancellationToken token)
    {
        var service = Service ?? throw new StoreUnavailableException("store unavailable: this voter is starting");
        return new ForwardedKvReply(await StoreCalls.AnswerAsync(service, call.Request, token).ConfigureAwait(false));
    }

    private async Task<IRaftReply> AnswerStatusAsync(CancellationToken token)
    {
        var service = Service ?? throw new StoreUnavailableException("store unavailable: this voter is starting");
        return new ForwardedStatusReply(await StoreCalls.AnswerStatusAsync(service, token).ConfigureAwait(false));
    }
}
