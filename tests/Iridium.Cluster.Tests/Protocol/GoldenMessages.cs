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
    };
}
