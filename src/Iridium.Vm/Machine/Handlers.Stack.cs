using System.Runtime.CompilerServices;

namespace Iridium.Vm;

// The stack of 32-bit entries and call frames (docs/reference/isa.md, "Stack and calls"). A frame is the
// two entries CALL pushes: the return address, then the caller's bp; bp points just above them.
//
// Invariants the fast paths rely on: 0 <= bp <= sp <= StackCapacity; bp is 0 or the top of a
// frame; PUSH/POP only touch entries at or above bp, so only CALL writes frame entries. A frame
// above cpu.FrameFloor was therefore written by CALL for the program now loaded: its return
// address is a legal target and its saved bp lies below it, and RET can take it without checks.
// Such a frame holds the return address as a slot index (nothing but RET and Machine.Stack reads
// it, and Machine.Stack shows the byte address A + 4). When the program is replaced, the machine
// turns those into byte addresses and raises the floor: frames at or below it get the full checks.
//
// Entries are indexed as (uint)sp: sp is never negative, and an unsigned index lets the JIT use the
// zero-extended load of sp directly instead of sign-extending it first (one x86 instruction per
// PUSH, POP, CALL and RET). Growing the stack is a call the fast paths do not make, so CALL leaves
// it to CallGrowing: no value is live across a call there, and nothing is spilled.
internal static partial class Handlers
{
    [Opcode(44, "PUSH", "R", "push R[a]")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Push(ref Cpu cpu, in Instruction ins)
    {
        int sp = cpu.Sp;
        if (sp < cpu.StackCapacity)
        {
            cpu.Stack[(uint)sp] = cpu.R[ins.A];
            cpu.Sp = sp + 1;
            return FaultCode.None;
        }
        return PushGrowing(ref cpu, cpu.R[ins.A]);
    }

    [Opcode(45, "POP", "R", "R[a] = pop")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe FaultCode Pop(ref Cpu cpu, in Instruction ins)
    {
        int sp = cpu.Sp;
        if (sp <= cpu.Bp) return FaultCode.Stack;
        cpu.R[ins.A] = cpu.Stack[(uint)sp - 1];
        cpu.Sp = sp - 1;
        return FaultCode.None;
    }

    // The target is a code slot or the end: a CALL to an illegal target decodes to the target-fault
    // pseudo-op (InstructionDecoder), which faults JUMP before anything is pushed.
    [Opcode(46, "CALL", "ADDR", "push A + 4; push bp; bp = sp; pc = HI:LO")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Branch Call(ref Cpu cpu, in Instruction ins)
    {
        int target = ins.Imm;
        int sp = cpu.Sp;
        if (sp + 2 > cpu.StackCapacity) return CallGrowing(ref cpu, target, cpu.Pc + 1);
        int* frame = cpu.Stack + (uint)sp;
        frame[0] = cpu.Pc + 1; // the slot after the CALL, as a slot index (see above)
        frame[1] = cpu.Bp;
        cpu.Sp = cpu.Bp = sp + 2;
        return Branch.ToSlot(target);
    }

    [Opcode(47, "RET", "", "sp = bp; bp = pop; pc = pop")]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Branch Ret(ref Cpu cpu, in Instruction ins)
    {
        int bp = cpu.Bp;
        if (bp <= cpu.FrameFloor) return RetChecked(ref cpu);
        int* frame = cpu.Stack + ((uint)bp - 2);
        cpu.Sp = bp - 2;
        cpu.Bp = frame[1];
        return Branch.ToSlot(frame[0]);
    }

    /// <summary>PUSH when the stack is full: grow it (fault STACK at the limit), then push.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static unsafe FaultCode PushGrowing(ref Cpu cpu, int value)
    {
        if (!cpu.Vm.GrowStack(cpu.Sp + 1)) return FaultCode.Stack;
        cpu.Stack[cpu.Sp++] = value;
        return FaultCode.None;
    }

    /// <summary>CALL when the stack has no room for the frame: grow it (fault STACK at the limit), then call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static unsafe Branch CallGrowing(ref Cpu cpu, int target, int returnSlot)
    {
        int sp = cpu.Sp;
        if (!cpu.Vm.GrowStack(sp + 2)) return Branch.Fault(FaultCode.Stack);
        cpu.Stack[sp] = returnSlot;
        cpu.Stack[sp + 1] = cpu.Bp;
        cpu.Sp = cpu.Bp = sp + 2;
        return Branch.ToSlot(target);
    }

    /// <summary>RET of a frame CALL did not write for this program: every part is checked.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static unsafe Branch RetChecked(ref Cpu cpu)
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
