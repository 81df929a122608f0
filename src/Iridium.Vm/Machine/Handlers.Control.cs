using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// Jumps, loops, stops. Targets from ADDR operands arrive decoded into slot indexes: a code slot,
// or past cpu.CodeCount a jump-fault slot (an illegal target: jumping there faults JUMP at the
// jumping instruction). Register targets are checked here with Cpu.TargetIndex.
internal static partial class Handlers
{
    [Opcode(5, "HLT", "", "stop with code 0")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static StopCode Hlt(ref Cpu cpu, in Instruction ins) => StopCode.Halt;

    [Opcode(100, "IGL", "", "stop with code 1 (every undefined opcode byte behaves like this)", CatchesUnknownBytes = true)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static StopCode Igl(ref Cpu cpu, in Instruction ins) => StopCode.Illegal;

    [Opcode(6, "JMP", "R", "pc = R[a]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Branch Jmp(ref Cpu cpu, in Instruction ins) => Branch.To(cpu.TargetIndex(cpu.R[ins.A]));

    [Opcode(7, "JMPF", "R", "pc = A + 2 + R[a]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Branch Jmpf(ref Cpu cpu, in Instruction ins)
        => Branch.To(cpu.TargetIndex((long)cpu.PcAddress + 2 + cpu.R[ins.A]));

    [Opcode(8, "JMPB", "R", "pc = A + 2 - R[a]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Branch Jmpb(ref Cpu cpu, in Instruction ins)
        => Branch.To(cpu.TargetIndex((long)cpu.PcAddress + 2 - cpu.R[ins.A]));

    [Opcode(15, "JMPE", "R", "if eq: pc = R[a]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Branch Jmpe(ref Cpu cpu, in Instruction ins)
        => cpu.Eq ? Branch.To(cpu.TargetIndex(cpu.R[ins.A])) : Branch.NotTaken;

    [Opcode(16, "NOP", "", "do nothing")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Nop(ref Cpu cpu, in Instruction ins) { }

    [Opcode(20, "DJMPE", "ADDR", "if eq: pc = HI:LO")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Branch Djmpe(ref Cpu cpu, in Instruction ins) => cpu.Eq ? Branch.ToSlot(ins.Imm) : Branch.NotTaken;

    [Opcode(40, "CLOOP", "LIT16", "loop_counter = HI:LO")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Cloop(ref Cpu cpu, in Instruction ins) => cpu.LoopCounter = ins.Imm;

    [Opcode(41, "LOOP", "ADDR", "if loop_counter != 0: loop_counter -= 1, pc = HI:LO")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Branch Loop(ref Cpu cpu, in Instruction ins)
    {
        if (cpu.LoopCounter == 0) return Branch.NotTaken;
        // A bad target must leave the counter untouched (the faulting instruction has no effect).
        if (ins.Imm <= cpu.CodeCount) cpu.LoopCounter--;
        return Branch.ToSlot(ins.Imm);
    }
}
