namespace Iridium.Vm;

/// <summary>
/// Declares decode-time superinstructions: when the decoder sees these opcodes one after another,
/// the first slot dispatches to a generated handler that runs all of them with no dispatch in
/// between. Each argument is one position of the sequence: a mnemonic, or several separated by
/// <c>|</c>, which declares one superinstruction per combination (<c>("LT|GT", "DJMPE")</c> is
/// LT+DJMPE and GT+DJMPE).
/// <para>
/// Only the dispatch changes: every slot keeps its own instruction (a jump into the middle of a
/// sequence runs the rest of it as usual), each part runs its own handler's code, a fault reports
/// the part that faulted, and a step budget counts each part as one instruction, so it can end a
/// run in the middle of a superinstruction.
/// </para>
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SuperinstructionAttribute(params string[] sequence) : Attribute
{
    public IReadOnlyList<string> Sequence { get; } = sequence;

    /// <summary>
    /// Also a loop variant: where the last part (a branch to a decoded ADDR, such as DJMPE)
    /// targets the sequence's own first slot, that is, a loop whose whole body is this sequence,
    /// the decoder gives the slot a second generated handler that goes round again without a
    /// dispatch and without loading the target, so one round does not wait on the last.
    /// </summary>
    public bool Loops { get; set; }
}
