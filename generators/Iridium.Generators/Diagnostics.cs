using Microsoft.CodeAnalysis;

namespace Iridium.Generators
{
    /// <summary>
    /// Every diagnostic the Iridium generators report. IDs are stable: IRG00xx for opcode
    /// definitions, IRG01xx for Iridium.Wire serializable types. Tests are named after the IDs.
    /// </summary>
    internal static class Diagnostics
    {
        private const string OpcodeCategory = "Iridium.Opcodes";

        public static readonly DiagnosticDescriptor DuplicateOpcodeNumber = new DiagnosticDescriptor(
            "IRG0001", "Duplicate opcode number",
            "Opcode number {0} is defined by both {1} and {2}",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor UnknownOperandKind = new DiagnosticDescriptor(
            "IRG0002", "Unknown operand format",
            "Operand format '{0}' of opcode {1} contains unknown operand kind '{2}' (known: R, F, COUNT, IMM32, IMM16, U16, ADDR, LIT16, F16)",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor HandlerSignatureMismatch = new DiagnosticDescriptor(
            "IRG0003", "Opcode handler signature mismatch",
            "Handler {0} of opcode {1} must be 'static <void|FaultCode|Branch|StopCode> {0}(ref Cpu cpu, in Instruction ins)' with a body: {2}",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor DuplicateMnemonic = new DiagnosticDescriptor(
            "IRG0004", "Duplicate mnemonic",
            "Mnemonic {0} is defined by opcodes {1} and {2}",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor OperandsTooWide = new DiagnosticDescriptor(
            "IRG0005", "Operands do not fit the instruction",
            "Operand format '{0}' of opcode {1} needs {2} bytes, but an instruction has 3 operand bytes and room for one 16-bit field",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InvalidMnemonic = new DiagnosticDescriptor(
            "IRG0006", "Invalid mnemonic",
            "Mnemonic '{0}' must be an upper-case letter followed by upper-case letters or digits",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor CatchAllOpcode = new DiagnosticDescriptor(
            "IRG0007", "Exactly one opcode must catch unknown bytes",
            "Exactly one opcode must set CatchesUnknownBytes = true (it runs for every undefined byte); found {0}",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor UnsupportedHandlerBody = new DiagnosticDescriptor(
            "IRG0008", "Handler body cannot be copied into the interpreter",
            "Handler {0} {1}",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor UnknownSuperinstructionMnemonic = new DiagnosticDescriptor(
            "IRG0009", "Unknown mnemonic in a superinstruction",
            "Superinstruction position {0} names '{1}', which no [Opcode] defines",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor InvalidSuperinstruction = new DiagnosticDescriptor(
            "IRG0010", "Invalid superinstruction",
            "Superinstruction {0} {1}",
            OpcodeCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        // ---- Iridium.Wire: [MemoryPackable] types (IRG01xx) ----

        private const string WireCategory = "Iridium.Wire";

        public static readonly DiagnosticDescriptor WireNonPartialType = new DiagnosticDescriptor(
            "IRG0101", "Serializable type must be partial",
            "Type {0} is marked [MemoryPackable] but it or a containing type is not partial; the generator adds its formatter to the type",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireUnsupportedMemberType = new DiagnosticDescriptor(
            "IRG0102", "Member type cannot be serialized",
            "Member {0} of {1} has type {2}, which Iridium.Wire cannot serialize (unsupported: {3}); mark it [MemoryPackable] or [MemoryPackIgnore] the member",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireDuplicateUnionTag = new DiagnosticDescriptor(
            "IRG0103", "Duplicate union tag",
            "Union tag {0} of {1} is used by both {2} and {3}",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireOrderGap = new DiagnosticDescriptor(
            "IRG0104", "Explicit member orders must be 0 to count-1",
            "Type {0} uses SerializeLayout.Explicit, so its [MemoryPackOrder] values must be exactly 0..{1}; order {2} is missing",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireMissingOrder = new DiagnosticDescriptor(
            "IRG0105", "Member needs [MemoryPackOrder]",
            "Member {0} of {1} needs [MemoryPackOrder]: explicit, version-tolerant and circular-reference layouts order every member explicitly",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireTooManyMembers = new DiagnosticDescriptor(
            "IRG0106", "Too many members",
            "Type {0} has {1} member slots; the member count header allows at most 249",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireCircularReferenceConstructor = new DiagnosticDescriptor(
            "IRG0107", "Circular-reference type needs a parameterless constructor",
            "Type {0} uses GenerateType.CircularReference, which must create the object before reading its members: it must be a class with a parameterless constructor",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireDuplicateOrder = new DiagnosticDescriptor(
            "IRG0108", "Duplicate member order",
            "Members {0} and {1} of {2} both have [MemoryPackOrder({3})]",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireAmbiguousConstructor = new DiagnosticDescriptor(
            "IRG0109", "No constructor to deserialize with",
            "Type {0} has {1} candidate constructors; mark exactly one with [MemoryPackConstructor]",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireConstructorParameterWithoutMember = new DiagnosticDescriptor(
            "IRG0110", "Constructor parameter matches no member",
            "Parameter {0} of the deserialization constructor of {1} matches no serialized member (names are compared ignoring case)",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireInvalidUnionCase = new DiagnosticDescriptor(
            "IRG0111", "Invalid union case",
            "Union case {0} of {1} must be a non-abstract class or struct that derives from or implements {1}",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireInvalidUnionType = new DiagnosticDescriptor(
            "IRG0112", "Invalid union type",
            "Type {0} {1}",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireUnsupportedType = new DiagnosticDescriptor(
            "IRG0113", "Type shape not supported",
            "Type {0} cannot be generated: {1}",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireInaccessibleMember = new DiagnosticDescriptor(
            "IRG0114", "Member is not accessible to the generated formatter",
            "Member {0} is private in base class {1}, so the formatter generated for {2} cannot read or write it",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

        public static readonly DiagnosticDescriptor WireUnsupportedCallSiteType = new DiagnosticDescriptor(
            "IRG0115", "Type argument cannot be serialized",
            "WireSerializer is called with {0}, which Iridium.Wire cannot serialize (unsupported: {1})",
            WireCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);
    }
}
