namespace Iridium.Cluster.Membership;

/// <summary>
/// Which of two nodes that hear of each other dials first (the other waits
/// <see cref="PeerManager.DialerGrace"/> for it): the lower node id or the higher one, as the
/// parity of the bits of both ids says. Both nodes compute the same answer, and every node dials
/// about half of its peers whatever its id: when the lower id always dialed, the node with the
/// lowest id of a mesh of 256 forming at once had 255 handshakes to run in turns while the highest
/// had none, and the mesh waited for the lowest ids' queues (docs/scale.md). Which connection
/// survives a simultaneous dial is another rule (<see cref="Connections.ClusterConnection.WinsOver"/>),
/// one that nodes of every version agree on.
/// </summary>
internal static class FirstDialer
{
    /// <summary>Whether <paramref name="self"/> dials <paramref name="other"/> as soon as it hears of it.</summary>
    public static bool IsSelf(Guid self, Guid other)
    {
        bool lowerDials = (Parity(self) ^ Parity(other)) == 0;
        return lowerDials == (self.CompareTo(other) < 0);
    }

    private static int Parity(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        int bits = 0;
        foreach (byte b in bytes) bits ^= b;
        return System.Numerics.BitOperations.PopCount((uint)bits) & 1;
    }
}
