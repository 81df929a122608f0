using Iridium.Cluster.Connections;
using Iridium.Cluster.Logging;
using Iridium.Cluster.Membership;
using Iridium.Cluster.Protocol;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Routing;

/// <summary>
/// The one place a member's messages are dispatched: each by its union tag's <see cref="TagRange"/>
/// to the <see cref="IPeerService"/> registered for that range. Every member's connection is
/// started with its own link (<see cref="LinkFor"/>), which knows whose messages it reads, so no
/// service has to find out who sent one. A message of a range nobody registered (a newer node's
/// service this node does not run) is dropped and counted; a handshake message after the handshake
/// closes the connection, as any undecodable frame does before it reaches here. When the
/// connection ends, the link tells the <see cref="PeerManager"/>, which tells the services that
/// subscribed to <see cref="PeerManager.PeerLost"/>.
/// </summary>
internal sealed class PeerRouter(PeerManager peers, TimeProvider time, ILogger logger)
{
    private readonly IPeerService?[] _byTag = new IPeerService?[256];
    private readonly Lock _registerGate = new();
    private long _unrouted;

    /// <summary>Messages from members that no service owns, dropped since the node started.</summary>
    public long Unrouted => Interlocked.Read(ref _unrouted);

    /// <summary>
    /// Makes <paramref name="service"/> the owner of every tag in <paramref name="range"/>. Call it
    /// while wiring the node, before it listens. Throws when a tag of the range has an owner
    /// already or the range reaches into the handshake's: two services can never share a message.
    /// </summary>
    public void Register(TagRange range, IPeerService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        if (range.First > range.Last || range.Overlaps(TagRange.Handshake))
            throw new ArgumentException($"tags {range} cannot be routed: the handshake's are {TagRange.Handshake}", nameof(range));
        lock (_registerGate)
        {
            for (int tag = range.First; tag <= range.Last; tag++)
            {
                if (_byTag[tag] is { } owner) throw new InvalidOperationException($"tag {tag} is already routed to {owner.GetType().Name}");
            }
            for (int tag = range.First; tag <= range.Last; tag++) Volatile.Write(ref _byTag[tag], service);
        }
    }

    /// <summary>The handler a member's connection is started with: every message it reads belongs to that member's entry.</summary>
    public IConnectionHandler LinkFor(PeerEntry entry) => new PeerLink(this, entry);

    private void Route(PeerEntry entry, ClusterConnection connection, IClusterMessage message)
    {
        if (!ReferenceEquals(entry.Connection, connection)) return; // superseded or down: closing
        // Anything heard from a member proves it alive, whichever service it is for.
        entry.Touch(Timing.Clock.NowMs(time));
        byte tag = MessageTags.Of(message);
        if (TagRange.Handshake.Contains(tag))
        {
            connection.Close(CloseReason.ProtocolError, $"protocol error: unexpected {message.GetType().Name} from a member");
            return;
        }
        if (Volatile.Read(ref _byTag[tag]) is { } service) service.OnPeerMessage(entry.NodeId, connection, message);
        else Interlocked.Increment(ref _unrouted);
    }

    private void Closed(PeerEntry entry, ClusterConnection connection, ConnectionClose close)
    {
        peers.ConnectionEnded(entry, connection, close);
        if (close.IsFault) ClusterLog.BadConnection(logger, connection.RemoteHost, UntrustedText.Escape(close.Detail));
    }

    /// <summary>One member's connection, bound to its entry.</summary>
    private sealed class PeerLink(PeerRouter router, PeerEntry entry) : IConnectionHandler
    {
        public void OnMessage(ClusterConnection connection, IClusterMessage message) => router.Route(entry, connection, message);

        public void OnClosed(ClusterConnection connection, ConnectionClose close) => router.Closed(entry, connection, close);
    }
}
