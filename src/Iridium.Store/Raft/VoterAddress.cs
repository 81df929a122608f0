using System.Net;
using System.Text;
using DotNext.Net.Cluster;
using Iridium.Crypto;

namespace Iridium.Store.Raft;

/// <summary>
/// A voter as DotNext sees it: an <see cref="EndPoint"/> that is only a name (the node's alias),
/// since voters reach each other over the mesh and not by address. The member id DotNext keys its
/// votes with is derived from the name, so it is the same on every voter and across restarts.
/// </summary>
public sealed class VoterAddress(string name) : EndPoint
{
    public string Name { get; } = name;

    public ClusterMemberId Id => IdOf(Name);

    public static ClusterMemberId IdOf(string name) =>
        new(Sha256.Hash(Encoding.UTF8.GetBytes(name)).AsSpan(0, ClusterMemberId.Size));

    public override bool Equals(object? obj) => obj is VoterAddress other && other.Name == Name;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public override string ToString() => Name;
}
