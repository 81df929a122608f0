using Microsoft.CodeAnalysis;

namespace Iridium.Generators
{
    /// <summary>
    /// Every diagnostic the Iridium generators report. IDs are stable: IRG00xx for opcode
    /// definitions (IRG01xx were Iridium.Wire's, retired with it; never reuse them). Tests are
    /// named after the IDs.
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
    }
}
