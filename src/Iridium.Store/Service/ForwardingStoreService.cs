using Iridium.Cluster.Protocol;
using Iridium.Store.Model;
using Iridium.Store.Raft;

namespace Iridium.Store.Service;

/// <summary>
/// The store on a node that is not a voter: each call goes over the mesh to a voter, which runs it
/// as its own (and passes it on to the leader when it must). The voters are the --store-voters list
/// every node is given. A call goes to the voter that answered last; one that is not connected is
/// skipped for the next. A read is tried on the next voter also after its voter was lost mid-call;
/// a write is not (it may have happened: the caller hears "unavailable", as for any write that could
/// not be confirmed). A voter that answers "unavailable" (it is cut off from the majority) is asked
/// after the others next time. Everything ends within the store timeout, plus a second so that the voter's
/// own "unavailable" (which says why) arrives before ours.
/// </summary>
public sealed class ForwardingStoreService : StoreService
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RoundPause = TimeSpan.FromMilliseconds(50);

    private readonly IStoreTransport transport;
    private readonly IReadOnlyList<string> voters;
    private readonly TimeSpan timeout;
    private int preferred;

    public ForwardingStoreService(IStoreTransport transport, IReadOnlyList<string> voters, StoreLimits limits, TimeSpan timeout)
    {
        if (voters.Count == 0) throw new ArgumentException("store: no voters given", nameof(voters));
        this.transport = transport;
        this.voters = voters;
        this.timeout = timeout;
        Limits = limits;
    }

    public override StoreLimits Limits { get; }

    public override async Task<StoredValue?> GetAsync(byte[] key, bool stale = false, CancellationToken token = default)
    {
        if (Limits.Problem(key) is { } problem) throw new ArgumentException(problem);
        return StoreCalls.ToValue(await ForwardAsync(new KvRequest { Operation = KvOperation.Get, Key = key, Stale = stale }, token).ConfigureAwait(false));
    }

    public override async Task<StoreResult> WriteAsync(StoreCommand command, CancellationToken token = default)
    {
        Check(command);
        var request = new KvRequest
        {
            Operation = command.Operation switch
            {
                StoreOperation.Put => KvOperation.Put,
                StoreOperation.Delete => KvOperation.Delete,
                _ => KvOperation.CompareAndSet,
            },
            Key = command.Key,
            Value = command.Value,
            Expected = command.Expected,
            ExpectAbsent = command.Operation == StoreOperation.CompareAndSet && command.Expected is null,
        };
        return StoreCalls.ToResult(await ForwardAsync(request, token).ConfigureAwait(false));
    }

    public override async Task<IReadOnlyList<KeyValuePair<byte[], StoredValue>>> ListAsync(byte[] prefix, int limit, CancellationToken token = default)
        => StoreCalls.ToList(await ForwardAsync(new KvRequest { Operation = KvOperation.List, Key = prefix, Limit = Math.Clamp(limit, 0, MaxListKeys) }, token)
            .ConfigureAwait(false));

    public override async Task<StoreStatus> StatusAsync(CancellationToken token = default)
        => StoreCalls.ToStatus(await AnswerStatusAsync(token).ConfigureAwait(false));

    /// <summary>The client's call as it came: the voter's answer goes back as it is.</summary>
    internal override async Task<KvReply> AnswerAsync(KvRequest request, CancellationToken token)
    {
        try
        {
            return await ForwardAsync(request, token).ConfigureAwait(false);
        }
        catch (StoreUnavailableException e)
        {
            return new KvReply { Status = KvStatus.Unavailable, Message = e.Message };
        }
    }

    internal override async Task<StoreStatusReply> AnswerStatusAsync(CancellationToken token)
    {
        try
        {
            var reply = await CallAsync(new ForwardedStatus(new StoreStatusQuery()), mayRepeat: true, token).ConfigureAwait(false);
            return ((ForwardedStatusReply)reply).Reply;
        }
        catch (StoreUnavailableException e)
        {
            return new StoreStatusReply { Status = KvStatus.Unavailable, Message = e.Message };
        }
    }

    private async Task<KvReply> ForwardAsync(KvRequest request, CancellationToken token)
    {
        bool read = request.Operation is KvOperation.Get or KvOperation.List;
        var reply = await CallAsync(new ForwardedKv(request), mayRepeat: read, token).ConfigureAwait(false);
        return ((ForwardedKvReply)reply).Reply;
    }

    /// <summary>The first voter's reply, trying each in turn from the one that answered last; throws <see cref="StoreUnavailableException"/>.</summary>
    private async Task<IRaftReply> CallAsync(IRaftRequest request, bool mayRepeat, CancellationToken token)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
        deadline.CancelAfter(timeout + Margin);
        string lastProblem = "";
        try
        {
            while (true)
            {
                int first = Volatile.Read(ref preferred);
                for (int i = 0; i < voters.Count; i++)
                {
                    int at = (first + i) % voters.Count;
                    try
                    {
                        var reply = await transport.RequestAsync(voters[at], request, deadline.Token).ConfigureAwait(false);
                        if (reply is not (ForwardedKvReply or ForwardedStatusReply)) throw new StoreUnavailableException($"store unavailable: voter {voters[at]} answered with something else");
                        // A voter that could not answer (cut off from the majority) is not asked first next time.
                        Volatile.Write(ref preferred, SaysUnavailable(reply) ? (at + 1) % voters.Count : at);
                        return reply;
                    }
                    catch (VoterUnreachableException e) when (e.NotSent || mayRepeat)
                    {
                        lastProblem = e.Message;
                    }
                    catch (VoterUnreachableException e)
                    {
                        throw new StoreUnavailableException($"store unavailable: {e.Message} before it confirmed the write; it may or may not have happened");
                    }
                }
                await Task.Delay(RoundPause, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !token.IsCancellationRequested)
        {
            string why = lastProblem.Length > 0 ? lastProblem : "no voter answered";
            throw new StoreUnavailableException($"store unavailable: {why} within {timeout.TotalMilliseconds:0} ms (voters: {string.Join(", ", voters)})");
        }
    }

    private static bool SaysUnavailable(IRaftReply reply) =>
        reply is ForwardedKvReply { Reply.Status: KvStatus.Unavailable } or ForwardedStatusReply { Reply.Status: KvStatus.Unavailable };
}
