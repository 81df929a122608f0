using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// Integer arithmetic and bit operations. Everything wraps modulo 2^32 (docs/reference/isa.md, "Machine state"): the
// project compiles unchecked, so plain operators give two's-complement wrap-around.
internal static partial class Handlers
{
    [Opcode(0, "LOAD", "R IMM32", "R[a] = zero-extend(HI:LO)")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Load(ref Cpu cpu, in Instruction ins) => cpu.R[ins.A] = ins.Imm;

    [Opcode(1, "ADD", "R R R", "R[c] = R[a] + R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Add(ref Cpu cpu, in Instruction ins) => cpu.R[ins.C] = cpu.R[ins.A] + cpu.R[ins.B];

    [Opcode(2, "SUB", "R R R", "R[c] = R[a] - R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Sub(ref Cpu cpu, in Instruction ins) => cpu.R[ins.C] = cpu.R[ins.A] - cpu.R[ins.B];

    [Opcode(3, "MUL", "R R R", "R[c] = R[a] * R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Mul(ref Cpu cpu, in Instruction ins) => cpu.R[ins.C] = cpu.R[ins.A] * cpu.R[ins.B];

    [Opcode(4, "DIV", "R R R", "R[c] = R[a] / R[b]; remainder = R[a] % R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Div(ref Cpu cpu, in Instruction ins)
    {
        int dividend = cpu.R[ins.A];
        int divisor = cpu.R[ins.B];
        if (divisor == 0) return FaultCode.DivZero;
        if (divisor == -1)
        {
            // int.MinValue / -1 overflows (and throws in .NET); negation wraps to MinValue.
            cpu.R[ins.C] = -dividend;
            cpu.Remainder = 0;
            return FaultCode.None;
        }
        int quotient = dividend / divisor;
        cpu.Remainder = dividend - quotient * divisor;
        cpu.R[ins.C] = quotient;
        return FaultCode.None;
    }

    [Opcode(18, "INC", "R", "R[a] = R[a] + 1")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Inc(ref Cpu cpu, in Instruction ins) => cpu.R[ins.A]++;

    [Opcode(19, "DEC", "R", "R[a] = R[a] - 1")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Dec(ref Cpu cpu, in Instruction ins) => cpu.R[ins.A]--;

    [Opcode(33, "SHL", "R COUNT", "R[a] = R[a] << (n == 0 ? 16 : n)")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Shl(ref Cpu cpu, in Instruction ins) => cpu.R[ins.A] <<= ShiftAmount(ins.B);

    [Opcode(34, "SHR", "R COUNT", "R[a] = R[a] >> (n == 0 ? 16 : n), arithmetic")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Shr(ref Cpu cpu, in Instruction ins) => cpu.R[ins.A] >>= ShiftAmount(ins.B);

    [Opcode(35, "AND", "R R R", "R[c] = R[a] & R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void And(ref Cpu cpu, in Instruction ins) => cpu.R[ins.C] = cpu.R[ins.A] & cpu.R[ins.B];

    [Opcode(36, "OR", "R R R", "R[c] = R[a] | R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Or(ref Cpu cpu, in Instruction ins) => cpu.R[ins.C] = cpu.R[ins.A] | cpu.R[ins.B];

    [Opcode(37, "XOR", "R R R", "R[c] = R[a] ^ R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Xor(ref Cpu cpu, in Instruction ins) => cpu.R[ins.C] = cpu.R[ins.A] ^ cpu.R[ins.B];

    [Opcode(38, "NOT", "R R", "R[b] = ~R[a]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Not(ref Cpu cpu, in Instruction ins) => cpu.R[ins.B] = ~cpu.R[ins.A];

    [Opcode(39, "LUI", "R IMM16", "R[a] = (R[a] << 16) | HI:LO")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Lui(ref Cpu cpu, in Instruction ins) => cpu.R[ins.A] = (cpu.R[ins.A] << 16) | ins.Imm;

    /// <summary>The shift byte: 0 means 16, then modulo 32 (docs/reference/isa.md).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int ShiftAmount(byte n) => (n == 0 ? 16 : n) & 31;
}
