namespace Iridium.Cluster.Protocol;

/// <summary>Union tags that code besides MemoryPack's generated formatter reads or writes: declared once, used by the union attribute too.</summary>
internal static class WireTags
{
    public const byte ExecOutput = 32;
}
