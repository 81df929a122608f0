using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// The heap (LOADM/SETM/ALOC): cold paths that live on Machine.
internal static partial class Handlers
{
    [Opcode(17, "ALOC", "R", "heap grows by R[a] zero bytes")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Aloc(ref Cpu cpu, in Instruction ins) => cpu.Vm.GrowHeap(cpu.R[ins.A]);

    [Opcode(42, "LOADM", "R R", "R[b] = heap i32 LE at offset R[a]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Loadm(ref Cpu cpu, in Instruction ins)
    {
        if (!cpu.Vm.TryReadHeapWord(cpu.R[ins.A], out int value)) return FaultCode.Heap;
        cpu.R[ins.B] = value;
        return FaultCode.None;
    }

    [Opcode(43, "SETM", "R R", "heap i32 LE at offset R[a] = R[b]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Setm(ref Cpu cpu, in Instruction ins)
        => cpu.Vm.TryWriteHeapWord(cpu.R[ins.A], cpu.R[ins.B]) ? FaultCode.None : FaultCode.Heap;
}
