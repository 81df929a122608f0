using Iridium.Generators.Common;

namespace Iridium.Generators.Wire.Model
{
    /// <summary>Which encoding a [MemoryPackable] type gets (spec sections 2.3, 4, 8, 9, 10).</summary>
    internal enum WireTypeKind
    {
        /// <summary>Member count, then members.</summary>
        Object,
        /// <summary>Member count, member lengths, members.</summary>
        VersionTolerant,
        /// <summary>Version tolerant plus an object id and back-references.</summary>
        CircularReference,
        /// <summary>Interface or abstract class with [MemoryPackUnion] cases: tag, then the case.</summary>
        Union,
        /// <summary>Unmanaged struct: a raw memory image, registered with the runtime's UnmanagedFormatter.</summary>
        UnmanagedImage,
    }

    /// <summary>How generated code reads and writes one member.</summary>
    internal enum MemberCodec
    {
        /// <summary>WriteUnmanaged/ReadUnmanaged inline (primitives, enums, well-known dense types).</summary>
        Unmanaged,
        /// <summary>WriteString/ReadString inline.</summary>
        String,
        /// <summary>Through WireFormatterProvider&lt;T&gt;.Formatter.</summary>
        Formatter,
    }

    /// <summary>How a value read for a member gets into the new object.</summary>
    internal enum MemberAssignment
    {
        /// <summary>Assigned after construction (settable field or property).</summary>
        Settable,
        /// <summary>Set in the object initializer (init accessor).</summary>
        InitOnly,
        /// <summary>Passed as a constructor argument.</summary>
        Constructor,
        /// <summary>Read and dropped (get-only, no matching constructor parameter).</summary>
        Discard,
    }

    /// <summary>One serialized member, in wire order. <see cref="Slot"/> is its position (the order number in explicit layouts).</summary>
    internal sealed record MemberModel(string Name, string TypeName, int Slot, MemberCodec Codec, MemberAssignment Assignment);

    internal sealed record UnionCaseModel(int Tag, string TypeName);

    /// <summary>One formatter the module initializer registers: a closed type and the C# expression that creates its formatter.</summary>
    internal sealed record RegistrationModel(string TypeName, string FormatterExpression);

    /// <summary>
    /// Everything the emitter needs for one [MemoryPackable] type. Strings, numbers, enums and
    /// equatable arrays only: no symbols or syntax, so the incremental pipeline compares by value.
    /// </summary>
    internal sealed record TypeModel(
        string Namespace,
        EquatableArray<string> ContainingTypeDeclarations,
        string DeclarationKeyword,
        string Name,
        string FullName,
        bool IsValueType,
        WireTypeKind Kind,
        EquatableArray<MemberModel> Members,
        int SlotCount,
        EquatableArray<string> ConstructorArguments,
        EquatableArray<UnionCaseModel> UnionCases,
        EquatableArray<RegistrationModel> Registrations,
        string HintName);

    /// <summary>The result of reading one annotated type: a model (null when it cannot be generated) and diagnostics.</summary>
    internal sealed record WireParseResult(TypeModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
}
