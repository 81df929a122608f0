namespace Iridium.Cluster.Protocol;

/// <summary>Union tags that code besides MemoryPack's generated formatter reads or writes: declared once, used by the union attribute too.</summary>
internal static class WireTags
{
    public const byte ExecOutput = 32;

    /// <summary>
    /// Not a message: the first byte of a sealed frame's plaintext that carries several frames
    /// (<see cref="Connections.SealedBatch"/>). No union member has it, so it tells a batch from a message.
    /// </summary>
    public const byte SealedBatch = 82;
}
