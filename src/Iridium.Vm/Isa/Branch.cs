namespace Iridium.Vm;

/// <summary>
/// The outcome of a control-transfer handler, packed into one int so the inlined dispatch
/// can test it cheaply: a value ≥ 0 is the target instruction index, <see cref="NotTaken"/>
/// falls through, and any other negative value is <c>-(FaultCode)</c>.
/// </summary>
public readonly struct Branch
{
    internal const int NotTakenValue = -1;

    internal readonly int Value;

    private Branch(int value) => Value = value;

    public static Branch NotTaken => new(NotTakenValue);

    /// <summary>
    /// Jump to a decoded instruction index, or fault when <paramref name="indexOrFault"/> is an
    /// already-encoded fault (targets are validated when they are decoded or computed).
    /// </summary>
    internal static Branch To(int indexOrFault) => new(indexOrFault);

    /// <summary>
    /// Jump to a decoded ADDR operand: a code slot, or, for an illegal target, the jump-fault slot
    /// the decoder made for this instruction (landing there faults JUMP at the instruction).
    /// Never negative, so the interpreter jumps without testing it.
    /// </summary>
    internal static Branch ToSlot(int slot) => new(slot);

    public static Branch Fault(FaultCode code) => new(-(int)code);
}
