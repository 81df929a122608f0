namespace Iridium.Wire;

// The attribute surface of MemoryPack, in our namespace: code written for MemoryPack ports by
// changing `using MemoryPack;` to `using Iridium.Wire;`. Only the generator reads these.

/// <summary>How a [MemoryPackable] type is encoded (spec sections 4, 9, 10).</summary>
public enum GenerateType
{
    /// <summary>Member count, then members; members may only be appended.</summary>
    Object,
    /// <summary>Member count, then every member's byte length, then members; tolerant of added/removed members.</summary>
    VersionTolerant,
    /// <summary>Version tolerant plus object identity, so graphs with cycles round-trip.</summary>
    CircularReference,
    /// <summary>A custom collection (not supported by Iridium.Wire; reported by the generator).</summary>
    Collection,
    /// <summary>No serializer is generated.</summary>
    NoGenerate,
}

/// <summary>Member ordering: declaration order, or ascending [MemoryPackOrder].</summary>
public enum SerializeLayout
{
    Sequential,
    Explicit,
}

/// <summary>Marks a type for which the generator emits a serializer.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class MemoryPackableAttribute : Attribute
{
    public MemoryPackableAttribute(GenerateType generateType = GenerateType.Object, SerializeLayout serializeLayout = SerializeLayout.Sequential)
    {
        GenerateType = generateType;
        SerializeLayout = serializeLayout;
    }

    public MemoryPackableAttribute(SerializeLayout serializeLayout)
        : this(GenerateType.Object, serializeLayout)
    {
    }

    public GenerateType GenerateType { get; }

    public SerializeLayout SerializeLayout { get; }
}

/// <summary>Declares one case of a union: the tag written before the case's own encoding.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Interface, AllowMultiple = true, Inherited = false)]
public sealed class MemoryPackUnionAttribute : Attribute
{
    public MemoryPackUnionAttribute(ushort tag, Type type)
    {
        Tag = tag;
        Type = type;
    }

    public ushort Tag { get; }

    public Type Type { get; }
}

/// <summary>The position of a member in explicit and version-tolerant layouts.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class MemoryPackOrderAttribute : Attribute
{
    public MemoryPackOrderAttribute(int order) => Order = order;

    public int Order { get; }
}

/// <summary>Leaves a public member out of the encoding.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class MemoryPackIgnoreAttribute : Attribute
{
}

/// <summary>Puts a non-public member into the encoding.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class MemoryPackIncludeAttribute : Attribute
{
}

/// <summary>Chooses the constructor used when deserializing.</summary>
[AttributeUsage(AttributeTargets.Constructor, AllowMultiple = false, Inherited = false)]
public sealed class MemoryPackConstructorAttribute : Attribute
{
}
