using System.Runtime.InteropServices;

namespace Iridium.Vm;

/// <summary>
/// One pre-decoded instruction: the dispatch index of its opcode, its one-byte operands in
/// encoding order and its 16-bit field. Register operands are already checked (an instruction
/// with a bad register decodes to the REGISTER-fault pseudo-op) and code addresses are already
/// turned into instruction indexes (an illegal one into <c>-(int)FaultCode.Jump</c>), so
/// handlers never bounds-check them.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Instruction(byte op, byte a, byte b, byte c, int imm)
{
    /// <summary>Dispatch index (not the opcode byte): dense, so the switch is a jump table.</summary>
    public readonly byte Op = op;
    public readonly byte A = a;
    public readonly byte B = b;
    public readonly byte C = c;
    /// <summary>The 16-bit field (zero-extended), or a decoded target index for ADDR operands.</summary>
    public readonly int Imm = imm;
}
