using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// The replicated store (docs/reference/isa.md, "The replicated store"): keys and values are heap
// records (a 4-byte little-endian length, then the bytes); each instruction waits for the store's
// answer holding no thread. Cold paths that live on Machine (Machine.Store.cs).
internal static partial class Handlers
{
    [Opcode(61, "KGET", "R R R", "get the key of the record at R[a] as a record into the R[c] bytes at R[b]: R[c] = the value's length (-1 absent, -2 unavailable), eq = found and written")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Kget(ref Cpu cpu, in Instruction ins) => cpu.Vm.StoreGet(ins.A, ins.B, ins.C);

    [Opcode(62, "KPUT", "R R", "put the value of the record at R[b] under the key of the record at R[a]; eq = acknowledged")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Kput(ref Cpu cpu, in Instruction ins) => cpu.Vm.StorePut(ins.A, ins.B);

    [Opcode(63, "KDEL", "R", "delete the key of the record at R[a]; eq = it existed and the delete is acknowledged")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Kdel(ref Cpu cpu, in Instruction ins) => cpu.Vm.StoreDelete(ins.A);

    [Opcode(64, "KCAS", "R R R", "if the key of the record at R[a] holds the value of the record at R[b] (length -1: absent), put the record at R[c]; eq = swapped and acknowledged")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Kcas(ref Cpu cpu, in Instruction ins) => cpu.Vm.StoreCompareAndSet(ins.A, ins.B, ins.C);
}
