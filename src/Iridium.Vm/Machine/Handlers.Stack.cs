using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// The stack of 32-bit entries and call frames (isa.md §6.9, PROPOSED rules). A frame is the
// two entries CALL pushes: the return address, then the caller's bp; bp points just above them.
internal static partial class Handlers
{
    [Opcode(44, "PUSH", "R", "push R[a]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Push(ref Cpu cpu, in Instruction ins)
    {
        if (cpu.Sp >= cpu.Stack.Length)
        {
            int[]? grown = Machine.GrowStack(cpu.Stack, cpu.Sp + 1);
            if (grown is null) return FaultCode.Stack;
            cpu.Stack = grown;
        }
        cpu.Stack[cpu.Sp++] = cpu.R[ins.A];
        return FaultCode.None;
    }

    [Opcode(45, "POP", "R", "R[a] = pop")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Pop(ref Cpu cpu, in Instruction ins)
    {
        if (cpu.Sp <= cpu.Bp) return FaultCode.Stack;
        cpu.R[ins.A] = cpu.Stack[--cpu.Sp];
        return FaultCode.None;
    }

    [Opcode(46, "CALL", "ADDR", "push A + 4; push bp; bp = sp; pc = HI:LO")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Branch Call(ref Cpu cpu, in Instruction ins)
    {
        if (ins.Imm < 0) return Branch.To(ins.Imm);
        if (cpu.Sp + 2 > cpu.Stack.Length)
        {
            int[]? grown = Machine.GrowStack(cpu.Stack, cpu.Sp + 2);
            if (grown is null) return Branch.Fault(FaultCode.Stack);
            cpu.Stack = grown;
        }
        int sp = cpu.Sp;
        cpu.Stack[sp] = cpu.PcAddress + 4;
        cpu.Stack[sp + 1] = cpu.Bp;
        cpu.Sp = cpu.Bp = sp + 2;
        return Branch.To(ins.Imm);
    }

    [Opcode(47, "RET", "", "sp = bp; bp = pop; pc = pop")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Branch Ret(ref Cpu cpu, in Instruction ins)
    {
        int bp = cpu.Bp;
        if (bp < 2 || cpu.Sp < bp) return Branch.Fault(FaultCode.Stack);
        int savedBp = cpu.Stack[bp - 1];
        // A saved bp must point at or below the frame it belongs to, else the frame is damaged.
        if (savedBp < 0 || savedBp > bp - 2) return Branch.Fault(FaultCode.Stack);
        int target = cpu.TargetIndex(cpu.Stack[bp - 2]);
        if (target < 0) return Branch.To(target);
        cpu.Sp = bp - 2;
        cpu.Bp = savedBp;
        return Branch.To(target);
    }
}
