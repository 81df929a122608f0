using MemoryPack;

namespace Iridium.Cluster.Protocol;

/// <summary>
/// Registers with MemoryPack the formatter of every type a cluster message is made of, as a node
/// does at start. MemoryPack looks up an unregistered type by reflection (and, for generic types,
/// by MakeGenericType), which Native AOT cannot be relied on to support; registered types never
/// reach that fallback. The generated union formatter reads and writes the message classes through
/// their generated static methods, whose static constructors register the type and its members'
/// formatters before the first use (what a one-request client relies on, see
/// <see cref="FrameCodec"/>); these registrations do it all up front. A test loads this assembly
/// fresh and checks both ways: all registered after this, and each case's reachable types
/// registered once its static constructor has run, so a new message or member type cannot be forgotten.
/// In the published binary these generated registrations compile to nothing (the registry answers
/// "registered" for every type, src/Iridium.Cli/Trimming/MemoryPack.Substitutions.xml): there the
/// formatters the registry is read for are the two <see cref="FrameCodec"/> registers by value, and
/// the same test checks that no member type needs another.
/// </summary>
internal static class MessageFormatters
{
    public static void Register()
    {
        // The union and its cases: the generated RegisterFormatter of each, called without reflection.
        MemoryPackFormatterProvider.Register<IClusterMessage>();
        MemoryPackFormatterProvider.Register(new CheckedTextFormatter());
        MemoryPackFormatterProvider.Register<Hello>();
        MemoryPackFormatterProvider.Register<Challenge>();
        MemoryPackFormatterProvider.Register<Proof>();
        MemoryPackFormatterProvider.Register<HelloAck>();
        MemoryPackFormatterProvider.Register<Join>();
        MemoryPackFormatterProvider.Register<Refuse>();
        MemoryPackFormatterProvider.Register<Heartbeat>();
        MemoryPackFormatterProvider.Register<MembersUpdate>();
        MemoryPackFormatterProvider.Register<Leave>();
        MemoryPackFormatterProvider.Register<Superseded>();
        MemoryPackFormatterProvider.Register<MembersQuery>();
        MemoryPackFormatterProvider.Register<MembersView>();
        MemoryPackFormatterProvider.Register<Ping>();
        MemoryPackFormatterProvider.Register<Pong>();
        MemoryPackFormatterProvider.Register<Data>();
        MemoryPackFormatterProvider.Register<DownMembers>();
        MemoryPackFormatterProvider.Register<ExecRequest>();
        MemoryPackFormatterProvider.Register<ExecStarted>();
        MemoryPackFormatterProvider.Register<ExecOutput>();
        MemoryPackFormatterProvider.Register<ExecCredit>();
        MemoryPackFormatterProvider.Register<ExecExit>();
        MemoryPackFormatterProvider.Register<ExecCancel>();
        MemoryPackFormatterProvider.Register<ProcessQuery>();
        MemoryPackFormatterProvider.Register<ProcessList>();
        MemoryPackFormatterProvider.Register<KillRequest>();
        MemoryPackFormatterProvider.Register<KillReply>();
        MemoryPackFormatterProvider.Register<RemoteSpawn>();
        MemoryPackFormatterProvider.Register<RemoteSpawnReply>();
        MemoryPackFormatterProvider.Register<RemoteSend>();
        MemoryPackFormatterProvider.Register<RemoteMonitor>();
        MemoryPackFormatterProvider.Register<RemoteDown>();
        MemoryPackFormatterProvider.Register<RemoteWhere>();
        MemoryPackFormatterProvider.Register<RemoteWhereReply>();
        MemoryPackFormatterProvider.Register<RemoteOutput>();
        MemoryPackFormatterProvider.Register<SendRequest>();
        MemoryPackFormatterProvider.Register<SendReply>();
        MemoryPackFormatterProvider.Register<GroupKillRequest>();
        MemoryPackFormatterProvider.Register<GroupKillReply>();
        MemoryPackFormatterProvider.Register<LogsRequest>();
        MemoryPackFormatterProvider.Register<LogsOutput>();
        MemoryPackFormatterProvider.Register<GroupPartEnded>();
        MemoryPackFormatterProvider.Register<GroupStop>();
        MemoryPackFormatterProvider.Register<LogsStop>();
        MemoryPackFormatterProvider.Register<StoreVote>();
        MemoryPackFormatterProvider.Register<StoreVoteReply>();
        MemoryPackFormatterProvider.Register<StorePreVote>();
        MemoryPackFormatterProvider.Register<StorePreVoteReply>();
        MemoryPackFormatterProvider.Register<StoreAppendEntries>();
        MemoryPackFormatterProvider.Register<StoreAppendEntriesReply>();
        MemoryPackFormatterProvider.Register<StoreInstallSnapshot>();
        MemoryPackFormatterProvider.Register<StoreInstallSnapshotReply>();
        MemoryPackFormatterProvider.Register<StoreResign>();
        MemoryPackFormatterProvider.Register<StoreResignReply>();
        MemoryPackFormatterProvider.Register<StoreSynchronize>();
        MemoryPackFormatterProvider.Register<StoreSynchronizeReply>();
        MemoryPackFormatterProvider.Register<StoreWrite>();
        MemoryPackFormatterProvider.Register<StoreWriteReply>();
        MemoryPackFormatterProvider.Register<StoreRead>();
        MemoryPackFormatterProvider.Register<StoreReadReply>();
        MemoryPackFormatterProvider.Register<KvRequest>();
        MemoryPackFormatterProvider.Register<KvReply>();
        MemoryPackFormatterProvider.Register<StoreStatusQuery>();
        MemoryPackFormatterProvider.Register<StoreStatusReply>();
        MemoryPackFormatterProvider.Register<SecureHello>();
        MemoryPackFormatterProvider.Register<SecureAccept>();

        // Records inside messages. Each generated RegisterFormatter also registers the lists,
        // arrays and enums among its own members.
        MemoryPackFormatterProvider.Register<MemberRecord>();
        MemoryPackFormatterProvider.Register<MemberStatusRecord>();
        MemoryPackFormatterProvider.Register<DownMemberRecord>();
        MemoryPackFormatterProvider.Register<ProcessRecord>();
        MemoryPackFormatterProvider.Register<StoreLogEntry>();
        MemoryPackFormatterProvider.Register<KvEntry>();
        MemoryPackFormatterProvider.Register<StoreVoterRecord>();
    }
}
