using Iridium.Cluster.Protocol;
using Iridium.Store.Raft;

namespace Iridium.Store.Service;

/// <summary>
/// A client's key-value call that a node which is not a voter passes to a voter, on the same
/// transport as the Raft calls; the voter runs it as its own client's (<see cref="StoreCalls"/>).
/// The wire message itself travels: the forwarding node built it and owns it.
/// </summary>
internal sealed record ForwardedKv(KvRequest Request) : IRaftRequest;

internal sealed record ForwardedKvReply(KvReply Reply) : IRaftReply;

/// <summary>`iridium store status` asked of a node that is not a voter, passed to a voter.</summary>
internal sealed record ForwardedStatus(StoreStatusQuery Query) : IRaftRequest;

internal sealed record ForwardedStatusReply(StoreStatusReply Reply) : IRaftReply;
