using Iridium.Cluster.Connections;

namespace Iridium.Cluster.Exec;

internal enum RelayKind
{
    Exec,
    /// <summary>`exec --detach`: open until the program's start (or refusal) is relayed.</summary>
    Detached,
    Kill,
    Ps,
}

/// <summary>
/// A stream this node opened on another member for one of its clients: what the member sends
/// under <see cref="Stream"/> goes to <see cref="Client"/> under <see cref="ClientRequest"/>.
/// Only messages from <see cref="Target"/> are accepted for it.
/// </summary>
internal sealed record Relay(long Stream, ClusterConnection Client, long ClientRequest, Guid Target, string TargetAlias, RelayKind Kind, ProcessGather? Gather)
{
    /// <summary>What the client's queue was allowed for this stream (its output window); handed back with the stream's last message.</summary>
    public long Allowance { get; init; }
}
