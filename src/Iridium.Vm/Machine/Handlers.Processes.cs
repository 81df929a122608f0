using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// Processes and messages (docs/reference/isa.md, processes): cold paths that live on Machine
// (Machine.Processes.cs), which reaches its process, its handle table and mailbox, and the runtime.
internal static partial class Handlers
{
    [Opcode(51, "SPAWN", "R R R", "start a process at code address R[a] with R0 = R[b] on node R[c] (-1 this node): R[c] = its handle, eq = started (refused: R[c] = -1)")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Spawn(ref Cpu cpu, in Instruction ins) => cpu.Vm.Spawn(ins.A, ins.B, ins.C);

    [Opcode(52, "SEND", "R R R", "send heap[R[b], R[b]+R[c]) to handle R[a]; never waits; eq = queued")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Send(ref Cpu cpu, in Instruction ins) => cpu.Vm.Send(ins.A, ins.B, ins.C);

    [Opcode(53, "RECV", "R R R", "take the oldest message into heap at R[c] (R[b] = length, R[a] = sender) or down notice (R[b] = -1 - reason); wait R[b] ms (<0 for ever); eq = false on timeout")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Recv(ref Cpu cpu, in Instruction ins) => cpu.Vm.Receive(ins.A, ins.B, ins.C);

    [Opcode(54, "MONITOR", "R", "ask for one down notice when the process of handle R[a] ends")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Monitor(ref Cpu cpu, in Instruction ins) => cpu.Vm.MonitorHandle(ins.A);

    [Opcode(55, "REG", "U16", "register this process under the name at ro_data[HI:LO]; eq = registered")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Reg(ref Cpu cpu, in Instruction ins) => cpu.Vm.RegisterName(ins.Imm);

    [Opcode(56, "WHERE", "R U16", "R[a] = the handle of the process named at ro_data[HI:LO] (NAME or NAME@ALIAS); eq = found")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Where(ref Cpu cpu, in Instruction ins) => cpu.Vm.Where(ins.A, ins.Imm);

    [Opcode(57, "NODES", "R R", "R[a] = the number of up members, R[b] = this node's index")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Nodes(ref Cpu cpu, in Instruction ins) => cpu.Vm.Nodes(ins.A, ins.B);

    [Opcode(58, "DROP", "R", "forget handle R[a]; its number becomes free")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Drop(ref Cpu cpu, in Instruction ins) => cpu.Vm.DropHandle(ins.A);

    [Opcode(59, "STRH", "R R R", "copy the NUL-terminated string at ro_data[R[b]] to heap at R[a]; R[c] = its length")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Strh(ref Cpu cpu, in Instruction ins) => cpu.Vm.StringToHeap(ins.A, ins.B, ins.C);

    [Opcode(60, "PRTH", "R R", "print heap[R[a], R[a]+R[b]) as UTF-8 text")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FaultCode Prth(ref Cpu cpu, in Instruction ins) => cpu.Vm.PrintHeap(ins.A, ins.B, cpu.PcAddress);
}
