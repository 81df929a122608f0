using Iridium.Cluster;
using Iridium.Store.Raft;

namespace Iridium.Store.Mesh;

/// <summary>The store's way onto a node's mesh, for the CLI; call before the node starts.</summary>
public static class StoreMesh
{
    public static IStoreTransport Attach(ClusterNode node) => new MeshStoreTransport(node);
}
