using Iridium.Cluster.Protocol;
using Iridium.Store.Model;

namespace Iridium.Store.Service;

/// <summary>
/// The store's client calls (tags 76-79) run against a <see cref="StoreService"/>, and back: the one
/// mapping between the wire's statuses and the service's results and exceptions, used where a
/// client's call arrives (<see cref="StoreClientService"/>), where a voter answers a forwarded one
/// (<see cref="ForwardedCallsTransport"/>), and where a node that is not a voter reads the voter's
/// answer (<see cref="ForwardingStoreService"/>).
/// </summary>
internal static class StoreCalls
{
    /// <summary>Most bytes of keys and values one list reply carries; the rest is cut (<see cref="KvReply.Truncated"/>). Well under a client's 1 MiB frame.</summary>
    public const int MaxListReplyBytes = 512 * 1024;

    public const string NoStoreMessage = "this node has no store: start it with --store-voters (the voters' aliases) to reach the store from it";

    public static async Task<KvReply> AnswerAsync(StoreService store, KvRequest request, CancellationToken token)
    {
        var key = request.Key ?? [];
        try
        {
            switch (request.Operation)
            {
                case KvOperation.Get:
                    var found = await store.GetAsync(key, request.Stale, token).ConfigureAwait(false);
                    return found is null ? new KvReply { Status = KvStatus.NotFound } : new KvReply { Status = KvStatus.Done, Value = found.Value, Revision = found.Revision };
                case KvOperation.Put:
                    return Written(await store.PutAsync(key, request.Value ?? [], token).ConfigureAwait(false));
                case KvOperation.Delete:
                    return Written(await store.DeleteAsync(key, token).ConfigureAwait(false));
                case KvOperation.CompareAndSet:
                    var expected = request.ExpectAbsent ? null : request.Expected ?? [];
                    return Written(await store.CompareAndSetAsync(key, expected, request.Value ?? [], token).ConfigureAwait(false));
                case KvOperation.List:
                    // One more than asked: whether there are more is what Truncated says.
                    int limit = request.Limit is > 0 and <= StoreService.MaxListKeys ? request.Limit : StoreService.MaxListKeys;
                    return Listed(await store.ListAsync(key, limit + 1, token).ConfigureAwait(false), limit);
                default:
                    return new KvReply { Status = KvStatus.Invalid, Message = $"store: unknown operation {(byte)request.Operation}" };
            }
        }
        catch (ArgumentException e)
        {
            return new KvReply { Status = KvStatus.Invalid, Message = e.Message };
        }
        catch (StoreUnavailableException e)
        {
            return new KvReply { Status = KvStatus.Unavailable, Message = e.Message };
        }
    }

    public static async Task<StoreStatusReply> AnswerStatusAsync(StoreService store, CancellationToken token)
    {
        try
        {
            var s = await store.StatusAsync(token).ConfigureAwait(false);
            return new StoreStatusReply
            {
                Status = KvStatus.Done,
                Voter = s.Name,
                Leader = s.Leader,
                Term = s.Term,
                CommitIndex = s.CommitIndex,
                LastLogIndex = s.LastLogIndex,
                AppliedIndex = s.AppliedIndex,
                Keys = s.Keys,
                DataBytes = s.DataBytes,
                LogBytes = s.LogBytes,
                SnapshotBytes = s.SnapshotBytes,
                Voters = s.Voters.Select(v => new StoreVoterRecord { Name = v.Name, State = v.Status, IsLeader = v.IsLeader }).ToList(),
            };
        }
        catch (StoreUnavailableException e)
        {
            return new StoreStatusReply { Status = KvStatus.Unavailable, Message = e.Message };
        }
    }

    /// <summary>A voter's answer to a forwarded get as the service returns it (null: absent), or the exception it stands for.</summary>
    public static StoredValue? ToValue(KvReply reply) => reply.Status switch
    {
        KvStatus.Done => new StoredValue(reply.Value ?? [], reply.Revision),
        KvStatus.NotFound => null,
        _ => throw Failure(reply),
    };

    public static StoreResult ToResult(KvReply reply) => reply.Status switch
    {
        KvStatus.Done => new StoreResult(StoreOutcome.Done, reply.Revision),
        KvStatus.NotFound => new StoreResult(StoreOutcome.NotFound, reply.Revision),
        KvStatus.Mismatch => new StoreResult(StoreOutcome.Mismatch, reply.Revision),
        _ => throw Failure(reply),
    };

    public static IReadOnlyList<KeyValuePair<byte[], StoredValue>> ToList(KvReply reply) => reply.Status == KvStatus.Done
        ? (reply.Entries ?? []).Where(e => e is not null).Select(e => KeyValuePair.Create(e.Key ?? [], new StoredValue(e.Value ?? [], e.Revision))).ToList()
        : throw Failure(reply);

    public static StoreStatus ToStatus(StoreStatusReply reply) => reply.Status == KvStatus.Done
        ? new StoreStatus(reply.Voter ?? "?", reply.Leader, reply.Term, reply.CommitIndex, reply.LastLogIndex, reply.AppliedIndex,
            (int)Math.Min(int.MaxValue, reply.Keys), reply.DataBytes, reply.LogBytes, reply.SnapshotBytes,
            (reply.Voters ?? []).Where(v => v is not null).Select(v => new VoterStatus(v.Name ?? "?", v.State ?? "?", v.IsLeader)).ToList())
        : throw new StoreUnavailableException(reply.Message ?? "store unavailable");

    private static Exception Failure(KvReply reply) => reply.Status == KvStatus.Invalid
        ? new ArgumentException(reply.Message ?? "store: invalid request")
        : new StoreUnavailableException(reply.Message ?? "store unavailable");

    private static KvReply Written(StoreResult result) => result.Outcome switch
    {
        StoreOutcome.Done => new KvReply { Status = KvStatus.Done, Revision = result.Revision },
        StoreOutcome.NotFound => new KvReply { Status = KvStatus.NotFound, Revision = result.Revision },
        StoreOutcome.Mismatch => new KvReply { Status = KvStatus.Mismatch, Revision = result.Revision },
        _ => new KvReply { Status = KvStatus.Invalid, Revision = result.Revision, Message = "store: the log entry was not a command this version understands; nothing changed" },
    };

    /// <summary>The first <paramref name="limit"/> entries that fit <see cref="MaxListReplyBytes"/>; truncated when more matched.</summary>
    private static KvReply Listed(IReadOnlyList<KeyValuePair<byte[], StoredValue>> found, int limit)
    {
        var entries = new List<KvEntry>(Math.Min(found.Count, limit));
        long bytes = 0;
        foreach (var (key, value) in found)
        {
            bytes += key.Length + value.Value.Length + 16;
            if (entries.Count == limit || bytes > MaxListReplyBytes) break;
            entries.Add(new KvEntry { Key = key, Value = value.Value, Revision = value.Revision });
        }
        return new KvReply { Status = KvStatus.Done, Entries = entries, Truncated = entries.Count < found.Count };
    }
}
