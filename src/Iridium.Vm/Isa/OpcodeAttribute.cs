namespace Iridium.Vm;

/// <summary>
/// Declares an opcode. This attribute on a handler method is the single definition of the
/// opcode: the source generator derives the <see cref="Opcode"/> enum, the metadata table
/// (mnemonic, operand format, flags, one-line semantics), the operand decoders and the
/// dispatch loop from it. The handler's return type tells the generator how control flows:
/// <list type="bullet">
/// <item><c>void</c>: straight-line, cannot fault; the next instruction follows.</item>
/// <item><see cref="FaultCode"/>: straight-line, may fault (non-zero code; the handler must then have changed nothing).</item>
/// <item><see cref="Branch"/>: a control transfer (taken, not taken, or a fault).</item>
/// <item><see cref="StopCode"/>: ends the run with a GracefulStop.</item>
/// </list>
/// The interpreter runs a copy of the handler's body (generators/Iridium.Generators/Opcodes/HandlerBodyParser.cs),
/// with each <c>return</c> turned into a jump: <c>FaultCode.None</c>/<c>FaultCode.X</c>,
/// <c>Branch.To(i)</c>, <c>Branch.NotTaken</c>, <c>Branch.Fault(c)</c> and <c>c ? a : b</c> of those
/// become direct jumps; any other returned value is tested at run time. So a body must not use
/// lambdas or local functions, must not declare the interpreter's locals (<c>ip</c>, <c>code</c>,
/// <c>exitCode</c>, ...), and may call only internal or public helpers. The method itself is what
/// the reference interpreter calls.
/// </summary>
/// <param name="number">The opcode byte.</param>
/// <param name="mnemonic">Upper-case mnemonic (the assembler matches it case-insensitively).</param>
/// <param name="format">
/// Operand format: space-separated operand kinds, in encoding order. Kinds: <c>R</c> integer
/// register, <c>F</c> float register, <c>COUNT</c> shift count byte (0 means 16) — one byte each;
/// <c>IMM32</c>, <c>IMM16</c>, <c>U16</c>, <c>ADDR</c>, <c>LIT16</c>, <c>F16</c> — a big-endian
/// 16-bit field each. Empty for no operands.
/// </param>
/// <param name="semantics">One line, register-transfer style; shown by the disassembler and REPL help.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class OpcodeAttribute(byte number, string mnemonic, string format, string semantics) : Attribute
{
    public byte Number { get; } = number;
    public string Mnemonic { get; } = mnemonic;
    public string Format { get; } = format;
    public string Semantics { get; } = semantics;

    /// <summary>True for the one opcode (IGL) that every undefined opcode byte behaves as.</summary>
    public bool CatchesUnknownBytes { get; init; }
}
