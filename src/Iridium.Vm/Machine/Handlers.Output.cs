using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// Printing: all four write to Machine.Output, in program order. The formatting lives in
// PrintFormat; the writing (and a closed output) in Machine.
internal static partial class Handlers
{
    [Opcode(21, "PRTS", "U16", "print the NUL-terminated UTF-8 string at ro_data[HI:LO]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Prts(ref Cpu cpu, in Instruction ins) => cpu.Vm.PrintString(ins.Imm, cpu.PcAddress);

    [Opcode(48, "PRTI", "R", "print R[a] as a signed decimal (-5, 2147483647)")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prti(ref Cpu cpu, in Instruction ins) => cpu.Vm.PrintInteger(cpu.R[ins.A]);

    [Opcode(49, "PRTF", "F", "print F[a], shortest round-trip, JavaScript layout (0.1, -0, 1e+21, 1.5e-7, nan, inf, -inf)")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prtf(ref Cpu cpu, in Instruction ins) => cpu.Vm.PrintFloat(cpu.F[ins.A]);

    [Opcode(50, "PRTC", "R", "print R[a] as one Unicode scalar value in UTF-8 (10 ends a line); fault VALUE if it is not one")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Prtc(ref Cpu cpu, in Instruction ins) => cpu.Vm.PrintScalar(cpu.R[ins.A]);
}
