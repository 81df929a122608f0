using Iridium.Wire;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Every frame on a cluster connection carries exactly one of these, encoded by Iridium.Wire
/// (MemoryPack format, union tag first). Tags are part of the protocol: never reuse or renumber
/// them, and only append members to a message (plain-object encoding reads older, shorter forms).
/// Tags 0-5 are the handshake, 10-16 membership, 20-23 client queries and application data.
/// </summary>
[MemoryPackable]
[MemoryPackUnion(0, typeof(Hello))]
[MemoryPackUnion(1, typeof(Challenge))]
[MemoryPackUnion(2, typeof(Proof))]
[MemoryPackUnion(3, typeof(HelloAck))]
[MemoryPackUnion(4, typeof(Join))]
[MemoryPackUnion(5, typeof(Refuse))]
[MemoryPackUnion(10, typeof(Heartbeat))]
[MemoryPackUnion(11, typeof(MembersUpdate))]
[MemoryPackUnion(12, typeof(Leave))]
[MemoryPackUnion(13, typeof(Superseded))]
[MemoryPackUnion(20, typeof(MembersQuery))]
[MemoryPackUnion(21, typeof(MembersView))]
[MemoryPackUnion(22, typeof(Ping))]
[MemoryPackUnion(23, typeof(Pong))]
[MemoryPackUnion(24, typeof(Data))]
public partial interface IClusterMessage
{
}
