namespace Iridium.Cluster.Routing;

/// <summary>
/// A block of union tags (<see cref="Protocol.IClusterMessage"/>) that one service owns. Tags are
/// allocated by range so that work on different services never collides; every message a member
/// sends is routed by the range its tag falls in (docs/reference/cluster-protocol.md, Messages).
/// </summary>
internal readonly record struct TagRange(byte First, byte Last)
{
    /// <summary>Hello, Challenge, Proof, HelloAck, Join, Refuse: only during the handshake, never routed.</summary>
    public static readonly TagRange Handshake = new(0, 9);

    /// <summary>Heartbeat, MembersUpdate, Leave, Superseded.</summary>
    public static readonly TagRange Membership = new(10, 19);

    /// <summary>Members queries, Ping/Pong and Data (load reports between members).</summary>
    public static readonly TagRange ClientQueries = new(20, 29);

    /// <summary>exec, ps and kill.</summary>
    public static readonly TagRange Exec = new(30, 39);

    /// <summary>Processes on one node talking to processes on another.</summary>
    public static readonly TagRange Processes = new(40, 49);

    /// <summary>send, call, logs and kill --group from a client (and relayed to the member that runs the process).</summary>
    public static readonly TagRange ClientProcessCommands = new(50, 55);

    /// <summary>Groups that span members: a part's end, a group's stop.</summary>
    public static readonly TagRange GroupLinks = new(56, 57);

    /// <summary>More client process commands between members: the end of a relayed `logs --follow` whose client left.</summary>
    public static readonly TagRange ClientProcessCommandStops = new(58, 59);

    /// <summary>The replicated store: Raft between voters (60-75) and its client calls (76-79, <see cref="StoreClient"/>).</summary>
    public static readonly TagRange Store = new(60, 79);

    /// <summary>The store's client calls (kv, store status): from tools to a node, and from a node that is not a voter to a voter.</summary>
    public static readonly TagRange StoreClient = new(76, 79);

    public static readonly TagRange Encryption = new(80, 89);

    /// <summary>Scaling and additions to membership.</summary>
    public static readonly TagRange Scale = new(90, 99);

    public bool Contains(int tag) => tag >= First && tag <= Last;

    public bool Overlaps(TagRange other) => First <= other.Last && other.First <= Last;

    public override string ToString() => $"{First}-{Last}";
}
