using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Every frame on a cluster connection carries exactly one of these, serialized by MemoryPack
/// (union tag first; the serializers are generated). Tags are part of the protocol: never reuse
/// or renumber them, and only append members to a message (a reader accepts older, shorter forms;
/// an older reader refuses longer ones, so that needs a protocol version). Tags 0-5 are the
/// handshake, 10-13 membership, 20-25 client queries and application data, 30-39
/// exec, ps and kill (<see cref="IExecMessage"/>), 40-47 processes on different members
/// (<see cref="IProcessMessage"/>), 50-55 client process commands (<see cref="IProcessCommand"/>), 56-59 groups that span members (<see cref="IGroupMessage"/>),
/// 60-75 the replicated store between voters and 76-79 its client calls (<see cref="IStoreMessage"/>),
/// 80-89 encryption (82 is taken by <see cref="WireTags.SealedBatch"/>, which is no message). A new message is
/// also registered in <see cref="MessageFormatters"/>, gets golden-bytes cases, and marks each
/// string member a <see cref="CheckedText"/> (a <c>string?</c> property over a serialized
/// <see cref="CheckedText"/> field); tests check all three.
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
[MemoryPackUnion(25, typeof(DownMembers))]
[MemoryPackUnion(30, typeof(ExecRequest))]
[MemoryPackUnion(31, typeof(ExecStarted))]
[MemoryPackUnion(WireTags.ExecOutput, typeof(ExecOutput))]
[MemoryPackUnion(33, typeof(ExecCredit))]
[MemoryPackUnion(34, typeof(ExecExit))]
[MemoryPackUnion(35, typeof(ExecCancel))]
[MemoryPackUnion(36, typeof(ProcessQuery))]
[MemoryPackUnion(37, typeof(ProcessList))]
[MemoryPackUnion(38, typeof(KillRequest))]
[MemoryPackUnion(39, typeof(KillReply))]
[MemoryPackUnion(40, typeof(RemoteSpawn))]
[MemoryPackUnion(41, typeof(RemoteSpawnReply))]
[MemoryPackUnion(42, typeof(RemoteSend))]
[MemoryPackUnion(43, typeof(RemoteMonitor))]
[MemoryPackUnion(44, typeof(RemoteDown))]
[MemoryPackUnion(45, typeof(RemoteWhere))]
[MemoryPackUnion(46, typeof(RemoteWhereReply))]
[MemoryPackUnion(47, typeof(RemoteOutput))]
[MemoryPackUnion(50, typeof(SendRequest))]
[MemoryPackUnion(51, typeof(SendReply))]
[MemoryPackUnion(52, typeof(GroupKillRequest))]
[MemoryPackUnion(53, typeof(GroupKillReply))]
[MemoryPackUnion(54, typeof(LogsRequest))]
[MemoryPackUnion(55, typeof(LogsOutput))]
[MemoryPackUnion(56, typeof(GroupPartEnded))]
[MemoryPackUnion(57, typeof(GroupStop))]
[MemoryPackUnion(58, typeof(LogsStop))]
[MemoryPackUnion(60, typeof(StoreVote))]
[MemoryPackUnion(61, typeof(StoreVoteReply))]
[MemoryPackUnion(62, typeof(StorePreVote))]
[MemoryPackUnion(63, typeof(StorePreVoteReply))]
[MemoryPackUnion(64, typeof(StoreAppendEntries))]
[MemoryPackUnion(65, typeof(StoreAppendEntriesReply))]
[MemoryPackUnion(66, typeof(StoreInstallSnapshot))]
[MemoryPackUnion(67, typeof(StoreInstallSnapshotReply))]
[MemoryPackUnion(68, typeof(StoreResign))]
[MemoryPackUnion(69, typeof(StoreResignReply))]
[MemoryPackUnion(70, typeof(StoreSynchronize))]
[MemoryPackUnion(71, typeof(StoreSynchronizeReply))]
[MemoryPackUnion(72, typeof(StoreWrite))]
[MemoryPackUnion(73, typeof(StoreWriteReply))]
[MemoryPackUnion(74, typeof(StoreRead))]
[MemoryPackUnion(75, typeof(StoreReadReply))]
[MemoryPackUnion(76, typeof(KvRequest))]
[MemoryPackUnion(77, typeof(KvReply))]
[MemoryPackUnion(78, typeof(StoreStatusQuery))]
[MemoryPackUnion(79, typeof(StoreStatusReply))]
[MemoryPackUnion(80, typeof(SecureHello))]
[MemoryPackUnion(81, typeof(SecureAccept))]
internal partial interface IClusterMessage
{
}
