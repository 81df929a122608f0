using System.Runtime.CompilerServices;

namespace Iridium.Vm;

/// <summary>
/// The machine state the interpreter touches, in one block: the register files are inline
/// fixed buffers, so a handler reaches <c>R[a]</c> at a constant offset from the one pointer the
/// dispatch loop keeps in a register (as Lua's <c>base</c>). Handlers get it by <c>ref</c>; the
/// generated loop runs copies of their bodies. Cold state (heap, ro data, output) stays on
/// <see cref="Machine"/>, reached through <see cref="Vm"/>.
/// </summary>
public unsafe struct Cpu
{
    /// <summary>The 32 integer registers.</summary>
    public fixed int R[Machine.RegisterCount];
    /// <summary>The 32 float registers.</summary>
    public fixed double F[Machine.RegisterCount];
    /// <summary>The equal flag: written by comparisons, read by JMPE and DJMPE.</summary>
    [ForwardedField]
    public bool Eq;
    public int Remainder;
    public int LoopCounter;
    /// <summary>
    /// Index of the current instruction in the decoded code. Inside the fast dispatch loop it is
    /// stale until the loop exits: the copied bodies compute the pc from the slot instead (storing
    /// it before CALL cost 4 x86 instructions a call), so a method a handler calls must take the pc
    /// as an argument rather than read it here. The reference interpreter stores it before every
    /// handler that mentions it.
    /// </summary>
    public int Pc;
    /// <summary>Byte address of instruction 0 (68 + ro length; 0 in headerless mode).</summary>
    public int CodeStart;
    /// <summary>Number of decoded slots before the end sentinel.</summary>
    public int CodeCount;
    // The stack registers are forwarded: a store into the stack goes through an int*, which the JIT
    // must assume can change any field, so it would load them again after every push. sp and bp are
    // resident, in locals of the whole run: otherwise every label that pushes, pops, calls or
    // returns loads them on entry and stores them on exit. The storage and its capacity are only
    // read, once per label (resident too, they crowded the register allocator, which spilled
    // locals around RET: fib took 2 x86 instructions a call more, not fewer).
    [ForwardedField(Resident = true)]
    public int Sp;
    [ForwardedField(Resident = true)]
    public int Bp;
    /// <summary>
    /// Frames with bp at or below this were left by an earlier program (see Handlers.Stack.cs):
    /// RET checks them in full. The machine raises it to sp whenever the program is replaced.
    /// </summary>
    public int FrameFloor;
    /// <summary>Instructions still allowed when the run has a step budget.</summary>
    public long StepsLeft;
    /// <summary>The stack's entries: a pinned array the machine owns (see <see cref="Machine.GrowStack"/>).</summary>
    [ForwardedField]
    public int* Stack;
    /// <summary>Entries <see cref="Stack"/> has room for; grows up to <see cref="Machine.StackLimit"/>.</summary>
    [ForwardedField]
    public int StackCapacity;
    public Machine Vm;

    /// <summary>Byte address of the current instruction.</summary>
    public readonly int PcAddress => CodeStart + Pc * 4;

    /// <summary>
    /// Turns a byte address into an instruction index, or <c>-(int)FaultCode.Jump</c> when the
    /// target is not a legal jump target (docs/reference/isa.md: inside the code, on an instruction
    /// boundary; the end of the program is allowed and stops the run).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int TargetIndex(long byteAddress) => TargetIndex(byteAddress, CodeStart, CodeCount);

    /// <summary>
    /// Index of the slot <paramref name="ip"/> points at. Unsigned, so it compiles to a shift:
    /// <c>(int)(ip - code)</c> is a signed division by the slot size.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SlotIndex(Instruction* ip, Instruction* code) => (int)(((nuint)ip - (nuint)code) / (nuint)sizeof(Instruction));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int TargetIndex(long byteAddress, int codeStart, int codeCount)
    {
        long offset = byteAddress - codeStart;
        if (offset < 0 || (offset & 3) != 0 || (offset >> 2) > codeCount) return -(int)FaultCode.Jump;
        return (int)(offset >> 2);
    }
}
