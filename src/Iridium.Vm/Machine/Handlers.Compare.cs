using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// Comparisons write only the equal flag, which JMPE and DJMPE read.
internal static partial class Handlers
{
    /// <summary>EQF64 tolerance: the binary64 machine epsilon, 2^-52, absolute.</summary>
    public const double FloatEpsilon = 2.220446049250313e-16;

    [Opcode(9, "EQ", "R R", "eq = R[a] == R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Eq(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.R[ins.A] == cpu.R[ins.B];

    [Opcode(10, "NEQ", "R R", "eq = R[a] != R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Neq(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.R[ins.A] != cpu.R[ins.B];

    [Opcode(11, "GTE", "R R", "eq = R[a] >= R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Gte(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.R[ins.A] >= cpu.R[ins.B];

    [Opcode(12, "LTE", "R R", "eq = R[a] <= R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Lte(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.R[ins.A] <= cpu.R[ins.B];

    [Opcode(13, "LT", "R R", "eq = R[a] < R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Lt(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.R[ins.A] < cpu.R[ins.B];

    [Opcode(14, "GT", "R R", "eq = R[a] > R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Gt(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.R[ins.A] > cpu.R[ins.B];

    [Opcode(27, "EQF64", "F F", "eq = |F[a] - F[b]| < epsilon")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void EqF64(ref Cpu cpu, in Instruction ins) => cpu.Eq = Math.Abs(cpu.F[ins.A] - cpu.F[ins.B]) < FloatEpsilon;

    [Opcode(28, "NEQF64", "F F", "eq = !(|F[a] - F[b]| < epsilon)")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void NeqF64(ref Cpu cpu, in Instruction ins) => cpu.Eq = !(Math.Abs(cpu.F[ins.A] - cpu.F[ins.B]) < FloatEpsilon);

    [Opcode(29, "GTF64", "F F", "eq = F[a] > F[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void GtF64(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.F[ins.A] > cpu.F[ins.B];

    [Opcode(30, "GTEF64", "F F", "eq = F[a] >= F[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void GteF64(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.F[ins.A] >= cpu.F[ins.B];

    [Opcode(31, "LTF64", "F F", "eq = F[a] < F[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void LtF64(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.F[ins.A] < cpu.F[ins.B];

    [Opcode(32, "LTEF64", "F F", "eq = F[a] <= F[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void LteF64(ref Cpu cpu, in Instruction ins) => cpu.Eq = cpu.F[ins.A] <= cpu.F[ins.B];
}
