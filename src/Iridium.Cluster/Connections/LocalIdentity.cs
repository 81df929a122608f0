namespace Iridium.Cluster.Connections;

/// <summary>What this node says about itself in a handshake. An empty host means "use the address you see".</summary>
internal sealed record LocalIdentity(Guid NodeId, string Alias, string AdvertisedHost, int AdvertisedPort);

/// <summary>The authenticated other side of a handshake, with the host resolved to something dialable.</summary>
internal sealed record PeerIdentity(Guid NodeId, string Alias, string Host, int Port);
