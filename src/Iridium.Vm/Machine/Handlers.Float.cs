using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// IEEE-754 double arithmetic on the float register file; never faults (x/0 gives ±inf or NaN).
internal static partial class Handlers
{
    [Opcode(22, "LOADF64", "F F16", "F[a] = (double)HI:LO")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void LoadF64(ref Cpu cpu, in Instruction ins) => cpu.F[ins.A] = ins.Imm;

    [Opcode(23, "ADDF64", "F F F", "F[c] = F[a] + F[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddF64(ref Cpu cpu, in Instruction ins) => cpu.F[ins.C] = cpu.F[ins.A] + cpu.F[ins.B];

    [Opcode(24, "SUBF64", "F F F", "F[c] = F[a] - F[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void SubF64(ref Cpu cpu, in Instruction ins) => cpu.F[ins.C] = cpu.F[ins.A] - cpu.F[ins.B];

    [Opcode(25, "MULF64", "F F F", "F[c] = F[a] * F[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void MulF64(ref Cpu cpu, in Instruction ins) => cpu.F[ins.C] = cpu.F[ins.A] * cpu.F[ins.B];

    [Opcode(26, "DIVF64", "F F F", "F[c] = F[a] / F[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void DivF64(ref Cpu cpu, in Instruction ins) => cpu.F[ins.C] = cpu.F[ins.A] / cpu.F[ins.B];
}
