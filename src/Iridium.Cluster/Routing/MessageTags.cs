using System.Collections.Frozen;
using System.Reflection;
using Iridium.Cluster.Protocol;
using MemoryPack;

namespace Iridium.Cluster.Routing;

/// <summary>
/// The union tag of each message type, read once from the <see cref="MemoryPackUnionAttribute"/>s
/// on <see cref="IClusterMessage"/>: the union declaration stays the one place a tag is written.
/// </summary>
internal static class MessageTags
{
    private static readonly FrozenDictionary<Type, byte> ByType = Build();

    /// <summary>The tag <paramref name="message"/> travels under.</summary>
    public static byte Of(IClusterMessage message) => ByType[message.GetType()];

    /// <summary>Every message type and its tag (tests).</summary>
    public static IReadOnlyDictionary<Type, byte> All => ByType;

    private static FrozenDictionary<Type, byte> Build()
    {
        var tags = new Dictionary<Type, byte>();
        foreach (var union in typeof(IClusterMessage).GetCustomAttributes<MemoryPackUnionAttribute>(inherit: false))
        {
            tags.Add(union.Type, checked((byte)union.Tag));
        }
        // Program output is decoded into an OutputChunk, which travels as an ExecOutput.
        tags.Add(typeof(OutputChunk), WireTags.ExecOutput);
        return tags.ToFrozenDictionary();
    }
}
