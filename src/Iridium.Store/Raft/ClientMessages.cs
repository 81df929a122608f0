namespace Iridium.Store.Raft;

/// <summary>
/// A write a voter passes to the leader for a client or a program on it (the encoded
/// <see cref="Model.StoreCommand"/>). Travels on the same transport as the Raft calls.
/// </summary>
public sealed record StoreWriteRequest(byte[] Command) : IRaftRequest;

/// <summary>The applied outcome, or why there is none (<see cref="Refusal"/>).</summary>
public sealed record StoreWriteReply(byte Outcome, long Revision, StoreRefusal Refusal) : IRaftReply;

/// <summary>A linearizable read the leader answers after confirming it still leads.</summary>
public sealed record StoreReadRequest(byte[] Key) : IRaftRequest;

public sealed record StoreReadReply(bool Found, byte[]? Value, long Revision, StoreRefusal Refusal) : IRaftReply;

public enum StoreRefusal : byte
{
    None = 0,
    /// <summary>The receiver is not the leader and did nothing: the sender may try the leader it knows now.</summary>
    NotLeader = 1,
    /// <summary>The receiver started the write but could not see it through: it may or may not have happened.</summary>
    Unknown = 2,
}
