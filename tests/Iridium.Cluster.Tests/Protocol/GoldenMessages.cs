using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Tests.Protocol;

/// <summary>
/// The values behind each case of <c>golden-messages.txt</c>: for every cluster message, one
/// instance with every member set to a value that is not its default ("full"), one with every
/// reference member null ("nulls"), and, where a message has strings, arrays or lists, one with
/// them empty ("empties"), since null and empty are encoded differently. Change a value here and
/// the golden bytes no longer match: these are the wire contract, not examples.
/// </summary>
internal static class GoldenMessages
{
    private static readonly Guid NodeA = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");
    private static readonly Guid NodeB = Guid.Parse("fedcba98-7654-3210-fedc-ba9876543210");

    /// <summary>32 bytes 0x00..0x1F: the size of a real nonce or MAC.</summary>
    private static byte[] Bytes32(byte start) => Enumerable.Range(start, 32).Select(i => (byte)i).ToArray();

    public static IReadOnlyDictionary<string, IClusterMessage> Cases { get; } = new Dictionary<string, IClusterMessage>
    {
        ["Hello.full"] = new Hello { ProtocolVersion = 1, NodeId = NodeA, Alias = "nœud-α", AdvertisedHost = "10.1.2.3", AdvertisedPort = 2254, Nonce = Bytes32(0), Role = ConnectionRole.Client },
        ["Hello.nulls"] = new Hello(),
        ["Hello.empties"] = new Hello { Alias = "", AdvertisedHost = "", Nonce = [] },

        ["Challenge.full"] = new Challenge { ProtocolVersion = 7, NodeId = NodeB, Alias = "seed", AdvertisedHost = "[::1]", AdvertisedPort = 65535, Nonce = Bytes32(32), Mac = Bytes32(64) },
        ["Challenge.nulls"] = new Challenge(),
        ["Challenge.empties"] = new Challenge { Alias = "", AdvertisedHost = "", Nonce = [], Mac = [] },

        ["Proof.full"] = new Proof { Mac = Bytes32(96) },
        ["Proof.nulls"] = new Proof(),
        ["Proof.empties"] = new Proof { Mac = [] },

        ["HelloAck.full"] = new HelloAck
        {
            Members =
            [
                new MemberRecord { NodeId = NodeA, Alias = "n1", Host = "127.0.0.1", Port = 2254 },
                new MemberRecord { NodeId = NodeB, Alias = null, Host = "", Port = -1 },
            ],
        },
        ["HelloAck.nulls"] = new HelloAck(),
        ["HelloAck.empties"] = new HelloAck { Members = [] },

        ["Join.full"] = new Join { ProtocolVersion = 1, NodeId = NodeB, Alias = "joiner", AdvertisedHost = "node-2.example", AdvertisedPort = 1, Nonce = Bytes32(128), Role = ConnectionRole.Node },
        ["Join.nulls"] = new Join(),
        ["Join.empties"] = new Join { Alias = "", AdvertisedHost = "", Nonce = [] },

        ["Refuse.full"] = new Refuse { Code = RefuseCode.ShuttingDown, Reason = "alias 'n1' is already used" },
        ["Refuse.nulls"] = new Refuse(),
        ["Refuse.empties"] = new Refuse { Reason = "" },

        ["Heartbeat.full"] = new Heartbeat { Sequence = long.MaxValue - 1, Digest = 0xFEDC_BA98_7654_3210, MemberCount = 32 },
        ["Heartbeat.nulls"] = new Heartbeat(),

        ["MembersUpdate.full"] = new MembersUpdate
        {
            Members = [new MemberRecord { NodeId = NodeB, Alias = "n2", Host = "::1", Port = 2255 }, null!],
        },
        ["MembersUpdate.nulls"] = new MembersUpdate(),
        ["MembersUpdate.empties"] = new MembersUpdate { Members = [] },

        ["Leave.full"] = new Leave { Reason = "shutdown ✓" },
        ["Leave.nulls"] = new Leave(),
        ["Leave.empties"] = new Leave { Reason = "" },

        ["Superseded.nulls"] = new Superseded(),

        ["MembersQuery.nulls"] = new MembersQuery(),

        ["MembersView.full"] = new MembersView
        {
            Members =
            [
                new MemberStatusRecord { NodeId = NodeA, Alias = "n1", Host = "127.0.0.1", Port = 2254, Status = MemberStatus.Self, LastSeenMs = 0 },
                new MemberStatusRecord { NodeId = NodeB, Alias = "n2", Host = "10.0.0.2", Port = 2255, Status = MemberStatus.Down, LastSeenMs = 123_456_789_012 },
            ],
        },
        ["MembersView.nulls"] = new MembersView(),
        ["MembersView.empties"] = new MembersView { Members = [new MemberStatusRecord { Alias = "", Host = "" }] },

        ["Ping.full"] = new Ping { Sequence = -2, Timestamp = 638_000_000_000_000_000 },
        ["Ping.nulls"] = new Ping(),

        ["Pong.full"] = new Pong { Sequence = 3, Timestamp = long.MinValue },
        ["Pong.nulls"] = new Pong(),

        ["Data.full"] = new Data { Body = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray() },
        ["Data.nulls"] = new Data(),
        ["Data.empties"] = new Data { Body = [] },

        ["DownMembers.full"] = new DownMembers
        {
            Members =
            [
                new DownMemberRecord { NodeId = NodeA, DownSinceMs = 59_999, Reason = DownReason.NoHeartbeat },
                new DownMemberRecord { NodeId = NodeB, DownSinceMs = long.MaxValue, Reason = DownReason.Left },
            ],
        },
        ["DownMembers.nulls"] = new DownMembers(),
        ["DownMembers.empties"] = new DownMembers { Members = [] },
        // A node's load report rides in a Data body (NodeLoad): magic "IRX1", running 3, queued 1.
        ["Data.nodeLoad"] = new Data { Body = new NodeLoad(3, 1).ToBody() },

        ["ExecRequest.full"] = new ExecRequest { RequestId = 7, Target = "nœud-α", Program = "hello.iasm", Image = [0x45, 0x50, 0x49, 0x45], MaxSteps = 1_000_000, Window = 262_144, WantState = true, Origin = "client@127.0.0.1", Detach = true },
        ["ExecRequest.nulls"] = new ExecRequest(),
        ["ExecRequest.empties"] = new ExecRequest { Target = "", Program = "", Image = [], Origin = "" },

        ["ExecStarted.full"] = new ExecStarted { RequestId = -1, ProcessId = "node2.17", Alias = "node2" },
        ["ExecStarted.nulls"] = new ExecStarted(),
        ["ExecStarted.empties"] = new ExecStarted { ProcessId = "", Alias = "" },

        ["ExecOutput.full"] = new ExecOutput { RequestId = long.MaxValue, Bytes = "Hello\n"u8.ToArray() },
        ["ExecOutput.nulls"] = new ExecOutput(),
        ["ExecOutput.empties"] = new ExecOutput { Bytes = [] },

        ["ExecCredit.full"] = new ExecCredit { RequestId = 2, Bytes = 32_768 },
        ["ExecCredit.nulls"] = new ExecCredit(),

        ["ExecExit.full"] = new ExecExit { RequestId = 3, Outcome = ExecOutcome.Crashed, Code = 4, Message = "fault DIVZERO at pc=72 (div $0 $1 $2)", StateJson = "{}"u8.ToArray(), Steps = 1_234_567_890_123 },
        ["ExecExit.nulls"] = new ExecExit(),
        ["ExecExit.empties"] = new ExecExit { Message = "", StateJson = [] },

        ["ExecCancel.full"] = new ExecCancel { RequestId = 4, Reason = ExecCancelReason.Disconnected },
        ["ExecCancel.nulls"] = new ExecCancel(),

        ["ProcessQuery.full"] = new ProcessQuery { RequestId = 5 },
        ["ProcessQuery.nulls"] = new ProcessQuery(),

        ["ProcessList.full"] = new ProcessList
        {
            RequestId = 6,
            Processes =
            [
                new ProcessRecord { ProcessId = "n1.1", NodeId = NodeA, Alias = "n1", Program = "loop.iasm", State = ProcessState.Running, Steps = 65_536, HeapBytes = 64, AgeMs = 1500, Origin = "client@::1", MailboxLength = 3, Dropped = 2, Parent = "n1.0", Group = "n1.0" },
                new ProcessRecord { ProcessId = "n2.9", NodeId = NodeB, Alias = "n2", Program = "x", State = ProcessState.Waiting, Steps = 0, HeapBytes = 0, AgeMs = 0, Origin = "n1 via client@10.0.0.1", MailboxLength = 0, Dropped = 0, Parent = "n1.1", Group = "n1.0" },
            ],
        },
        ["ProcessList.nulls"] = new ProcessList(),
        ["ProcessList.empties"] = new ProcessList { Processes = [new ProcessRecord { ProcessId = "", Alias = "", Program = "", Origin = "", Parent = "", Group = "" }] },

        ["KillRequest.full"] = new KillRequest { RequestId = 8, ProcessId = "node3.2" },
        ["KillRequest.nulls"] = new KillRequest(),
        ["KillRequest.empties"] = new KillRequest { ProcessId = "" },

        ["KillReply.full"] = new KillReply { RequestId = 9, Found = true, Message = "killed node3.2" },
        ["KillReply.nulls"] = new KillReply(),
        ["KillReply.empties"] = new KillReply { Message = "" },

        ["RemoteSpawn.full"] = new RemoteSpawn { RequestId = 10, Parent = 3, ImageHash = Bytes32(160), Image = [0x49, 0x52, 0x58, 0x01], Headerless = true, Pc = 72, R0 = -2, Group = "n1.4" },
        ["RemoteSpawn.nulls"] = new RemoteSpawn(),
        ["RemoteSpawn.empties"] = new RemoteSpawn { ImageHash = [], Image = [], Group = "" },

        ["RemoteSpawnReply.full"] = new RemoteSpawnReply { RequestId = 10, Outcome = SpawnOutcome.ImageWanted, Child = 77 },

        ["RemoteSend.full"] = new RemoteSend { From = 3, To = 77, Payload = [0x70, 0x69, 0x6e, 0x67] },
        ["RemoteSend.nulls"] = new RemoteSend(),
        ["RemoteSend.empties"] = new RemoteSend { Payload = [] },

        ["RemoteMonitor.full"] = new RemoteMonitor { Watcher = 3, Target = 77 },

        ["RemoteDown.full"] = new RemoteDown { Watcher = 3, Target = 77, Reason = 4 },

        ["RemoteWhere.full"] = new RemoteWhere { RequestId = 11, Name = "counter" },
        ["RemoteWhere.nulls"] = new RemoteWhere(),
        ["RemoteWhere.empties"] = new RemoteWhere { Name = "" },

        ["RemoteWhereReply.full"] = new RemoteWhereReply { RequestId = 11, Found = true, Serial = 5 },

        ["RemoteOutput.full"] = new RemoteOutput { To = 3, Bytes = [0x68, 0x69, 0x0a] },
        ["RemoteOutput.nulls"] = new RemoteOutput(),
        ["RemoteOutput.empties"] = new RemoteOutput { Bytes = [] },

        ["SendRequest.full"] = new SendRequest { RequestId = 10, Target = "counter@n2", Payload = [0x68, 0x69], WantReply = true, TimeoutMs = 5000 },
        ["SendRequest.nulls"] = new SendRequest(),
        ["SendRequest.empties"] = new SendRequest { Target = "", Payload = [] },

        ["SendReply.full"] = new SendReply { RequestId = 11, Outcome = SendOutcome.Answered, Message = "n2.7", Payload = [0x33] },
        ["SendReply.nulls"] = new SendReply(),
        ["SendReply.empties"] = new SendReply { Message = "", Payload = [] },

        ["GroupKillRequest.full"] = new GroupKillRequest { RequestId = 12, ProcessId = "n3.8" },
        ["GroupKillRequest.nulls"] = new GroupKillRequest(),
        ["GroupKillRequest.empties"] = new GroupKillRequest { ProcessId = "" },

        ["GroupKillReply.full"] = new GroupKillReply { RequestId = 12, Found = true, Message = "killed group n1.2" },
        ["GroupKillReply.nulls"] = new GroupKillReply(),
        ["GroupKillReply.empties"] = new GroupKillReply { Message = "" },

        ["LogsRequest.full"] = new LogsRequest { RequestId = 13, ProcessId = "n2.5", Follow = true },
        ["LogsRequest.nulls"] = new LogsRequest(),
        ["LogsRequest.empties"] = new LogsRequest { ProcessId = "" },

        ["LogsOutput.full"] = new LogsOutput { RequestId = 13, Found = true, Bytes = [0x6f, 0x6b, 0x0a], Last = true, Message = "n2.5 halted with status 0" },
        ["LogsOutput.nulls"] = new LogsOutput(),
        ["LogsOutput.empties"] = new LogsOutput { Bytes = [], Message = "" },

        ["GroupPartEnded.full"] = new GroupPartEnded { Parent = 4, Part = 19 },
        ["GroupPartEnded.nulls"] = new GroupPartEnded(),

        ["GroupStop.full"] = new GroupStop { Part = 19, FromPart = true },
        ["GroupStop.nulls"] = new GroupStop(),
        ["LogsStop.full"] = new LogsStop { RequestId = 13 },
        ["LogsStop.nulls"] = new LogsStop(),

        ["StoreVote.full"] = new StoreVote { CallId = 1, Term = 7, LastLogIndex = 42, LastLogTerm = 6, StateVersion = 1 },
        ["StoreVote.nulls"] = new StoreVote(),
        ["StoreVoteReply.full"] = new StoreVoteReply { CallId = 1, Term = 7, Granted = true },
        ["StoreVoteReply.nulls"] = new StoreVoteReply(),
        ["StorePreVote.full"] = new StorePreVote { CallId = 2, Term = 7, LastLogIndex = 42, LastLogTerm = 6, StateVersion = 1 },
        ["StorePreVote.nulls"] = new StorePreVote(),
        ["StorePreVoteReply.full"] = new StorePreVoteReply { CallId = 2, Term = 7, Result = 1 },
        ["StorePreVoteReply.nulls"] = new StorePreVoteReply(),
        ["StoreAppendEntries.full"] = new StoreAppendEntries
        {
            CallId = 3,
            Term = 7,
            PrevLogIndex = 41,
            PrevLogTerm = 6,
            CommitIndex = 40,
            StateVersion = 1,
            Entries =
            [
                new StoreLogEntry { Term = 7, CommandId = null, IsConfiguration = false, Payload = [1, 1, 1, 0, 0, 0, 0x6b, 1, 0, 0, 0, 0x76] },
                new StoreLogEntry { Term = 7, CommandId = 5, IsConfiguration = true, Payload = [] },
            ],
        },
        ["StoreAppendEntries.nulls"] = new StoreAppendEntries(),
        ["StoreAppendEntries.empties"] = new StoreAppendEntries { Entries = [new StoreLogEntry()] },
        ["StoreAppendEntriesReply.full"] = new StoreAppendEntriesReply { CallId = 3, Term = 7, Result = 2, LastIndex = 43 },
        ["StoreAppendEntriesReply.nulls"] = new StoreAppendEntriesReply(),
        ["StoreInstallSnapshot.full"] = new StoreInstallSnapshot
        {
            CallId = 4,
            Term = 7,
            SnapshotIndex = 100,
            SnapshotTerm = 6,
            StateVersion = 1,
            Snapshot = [0x49, 0x52, 0x4b, 0x56, 1, 0, 0, 0, 0, 0, 0, 0, 0],
            Configuration = [1, 0, 0, 0, 0x61],
            ConfigurationVersion = 2,
            Offset = 64,
            Total = 77,
        },
        ["StoreInstallSnapshot.nulls"] = new StoreInstallSnapshot(),
        ["StoreInstallSnapshot.empties"] = new StoreInstallSnapshot { Snapshot = [], Configuration = [] },
        ["StoreInstallSnapshotReply.full"] = new StoreInstallSnapshotReply { CallId = 4, Term = 7, Result = 2 },
        ["StoreInstallSnapshotReply.nulls"] = new StoreInstallSnapshotReply(),
        ["StoreResign.full"] = new StoreResign { CallId = 5 },
        ["StoreResign.nulls"] = new StoreResign(),
        ["StoreResignReply.full"] = new StoreResignReply { CallId = 5, Resigned = true },
        ["StoreResignReply.nulls"] = new StoreResignReply(),
        ["StoreSynchronize.full"] = new StoreSynchronize { CallId = 6, CommitIndex = 40 },
        ["StoreSynchronize.nulls"] = new StoreSynchronize(),
        ["StoreSynchronizeReply.full"] = new StoreSynchronizeReply { CallId = 6, CommitIndex = 41 },
        ["StoreSynchronizeReply.nulls"] = new StoreSynchronizeReply(),
        ["StoreWrite.full"] = new StoreWrite { CallId = 7, Command = [1, 2, 1, 0, 0, 0, 0x6b] },
        ["StoreWrite.nulls"] = new StoreWrite(),
        ["StoreWrite.empties"] = new StoreWrite { Command = [] },
        ["StoreWriteReply.full"] = new StoreWriteReply { CallId = 7, Outcome = 1, Revision = 44, Refusal = 2 },
        ["StoreWriteReply.nulls"] = new StoreWriteReply(),
        ["StoreRead.full"] = new StoreRead { CallId = 8, Key = [0x6b] },
        ["StoreRead.nulls"] = new StoreRead(),
        ["StoreRead.empties"] = new StoreRead { Key = [] },
        ["StoreReadReply.full"] = new StoreReadReply { CallId = 8, Found = true, Value = [0x76], Revision = 44, Refusal = 1 },
        ["StoreReadReply.nulls"] = new StoreReadReply(),

        ["KvRequest.full"] = new KvRequest { CallId = 9, Operation = KvOperation.CompareAndSet, Key = [0x6b], Value = [0x76, 0x32], Expected = [0x76], ExpectAbsent = true, Stale = true, Limit = 100 },
        ["KvRequest.nulls"] = new KvRequest(),
        ["KvRequest.empties"] = new KvRequest { Key = [], Value = [], Expected = [] },
        ["KvReply.full"] = new KvReply
        {
            CallId = 9,
            Status = KvStatus.Unavailable,
            Value = [0x76],
            Revision = 45,
            Message = "store unavailable: no leader within 5000 ms",
            Entries = [new KvEntry { Key = [0x6b], Value = [0x76], Revision = 44 }, new KvEntry()],
            Truncated = true,
        },
        ["KvReply.nulls"] = new KvReply(),
        ["KvReply.empties"] = new KvReply { Value = [], Message = "", Entries = [new KvEntry { Key = [], Value = [] }] },
        ["StoreStatusQuery.full"] = new StoreStatusQuery { CallId = 10 },
        ["StoreStatusQuery.nulls"] = new StoreStatusQuery(),
        ["StoreStatusReply.full"] = new StoreStatusReply
        {
            CallId = 10,
            Status = KvStatus.Done,
            Message = "ok",
            Voter = "n1",
            Leader = "n2",
            Term = 3,
            CommitIndex = 40,
            LastLogIndex = 41,
            AppliedIndex = 39,
            Keys = 12,
            DataBytes = 3072,
            LogBytes = 8249,
            SnapshotBytes = 512,
            Voters = [new StoreVoterRecord { Name = "n1", State = "available", IsLeader = false }, new StoreVoterRecord { Name = "n2", State = "available", IsLeader = true }],
        },
        ["StoreStatusReply.nulls"] = new StoreStatusReply(),
        ["StoreStatusReply.empties"] = new StoreStatusReply { Message = "", Voter = "", Leader = "", Voters = [new StoreVoterRecord { Name = "", State = "" }] },
        ["StoreReadReply.empties"] = new StoreReadReply { Value = [] },

        ["SecureHello.full"] = new SecureHello { ProtocolVersion = 2, Cipher = 2, Message = Bytes32(0) },
        ["SecureHello.nulls"] = new SecureHello(),
        ["SecureHello.empties"] = new SecureHello { Message = [] },

        ["SecureAccept.full"] = new SecureAccept { Message = Bytes32(32) },
        ["SecureAccept.nulls"] = new SecureAccept(),
        ["SecureAccept.empties"] = new SecureAccept { Message = [] },
    };
}
