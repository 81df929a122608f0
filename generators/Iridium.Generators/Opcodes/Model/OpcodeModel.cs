using System.Linq;
using Iridium.Generators.Common;

namespace Iridium.Generators.Opcodes.Model
{
    /// <summary>How the dispatch loop continues after a handler, from the handler's return type.</summary>
    internal enum HandlerKind
    {
        /// <summary>void: next instruction.</summary>
        Next,
        /// <summary>FaultCode: next instruction unless it faulted.</summary>
        NextOrFault,
        /// <summary>Branch: jump, fall through, or fault.</summary>
        Jump,
        /// <summary>StopCode: end the run.</summary>
        Stop,
    }

    /// <summary>
    /// One opcode definition. Only strings, numbers and equatable arrays: no symbols, so the
    /// incremental pipeline can compare models by value and cache.
    /// </summary>
    internal sealed record OpcodeModel(
        int Number,
        string Mnemonic,
        string Format,
        EquatableArray<OperandModel> Operands,
        string Semantics,
        HandlerKind Kind,
        bool ReadsPc,
        string HandlerType,
        string HandlerMethod,
        bool CatchesUnknownBytes,
        HandlerBodyModel Body,
        LocationInfo? Location)
    {
        /// <summary>Whether the instruction after this one can run next: a void body can end, or some return goes on.</summary>
        public bool CanContinue => Kind == HandlerKind.Next
            || Body.Exits.Any(e => e.Kind is ExitKind.Next or ExitKind.NotTaken or ExitKind.ComputedFault or ExitKind.ComputedBranch);

        public bool HasAddressOperand => Operands.Any(o => o.IsAddress);

        /// <summary>
        /// An instruction with an ADDR operand that always jumps (CALL): nothing it does can matter
        /// when its target is illegal, so the decoder turns it into the target-fault pseudo-op and
        /// the handler never tests its target.
        /// </summary>
        public bool AlwaysJumpsToAddress => HasAddressOperand && Kind == HandlerKind.Jump
            && !Body.Exits.Any(e => e.Kind is ExitKind.Next or ExitKind.NotTaken);
    }

    /// <summary>One operand: its runtime OperandKind member name and its encoded width.</summary>
    internal sealed record OperandModel(string Kind, int Width, bool IsRegister, bool IsAddress);

    /// <summary>
    /// What a handler's <c>return</c> does to the dispatch loop, read from the returned
    /// expression, so the generated loop jumps straight to the right place instead of testing a
    /// returned value.
    /// </summary>
    internal enum ExitKind
    {
        /// <summary><c>return;</c> or <c>return FaultCode.None;</c>: go on with the next instruction.</summary>
        Next,
        /// <summary>A constant fault (<c>return FaultCode.Heap;</c>, <c>return Branch.Fault(x);</c>): Expression is the FaultCode.</summary>
        Fault,
        /// <summary>A FaultCode computed at run time (<c>return cpu.Vm.GrowHeap(n);</c>): fault unless it is None.</summary>
        ComputedFault,
        /// <summary><c>return Branch.To(e);</c>: Expression is the target slot index, or a negated fault code.</summary>
        Jump,
        /// <summary><c>return Branch.ToSlot(e);</c>: Expression is a decoded ADDR operand, never negative.</summary>
        JumpToSlot,
        /// <summary><c>return Branch.NotTaken;</c>.</summary>
        NotTaken,
        /// <summary>A Branch computed at run time (<c>return RetChecked(ref cpu);</c>).</summary>
        ComputedBranch,
        /// <summary><c>return StopCode.X;</c>: Expression is the StopCode.</summary>
        Stop,
    }

    /// <summary>One <c>return</c> of a handler body, replaced in <see cref="HandlerBodyModel.Lines"/> by its placeholder.</summary>
    internal sealed record BodyExit(ExitKind Kind, string Expression);

    /// <summary>
    /// A handler's body as the dispatch loop runs it: its statements, normalized, one per line,
    /// with each <c>return</c> replaced by the line <c>__exitN__;</c> (N indexes
    /// <see cref="Exits"/>), the instruction parameter replaced by <see cref="InstructionToken"/>,
    /// and names of the handler's own class qualified, so the text compiles inside the generated
    /// interpreter.
    /// </summary>
    /// <param name="CallsOutsideExits">
    /// Whether a statement of the body other than a <c>return</c> runs code elsewhere (a method, a
    /// constructor, anything reached through <c>cpu.Vm</c>), which may read the cpu: a superinstruction
    /// writes its forwarded fields back before such a part.
    /// </param>
    internal sealed record HandlerBodyModel(
        string CpuParameter, EquatableArray<string> Lines, EquatableArray<BodyExit> Exits, EquatableArray<ForwardedField> ForwardedFields,
        bool CallsOutsideExits)
    {
        /// <summary>Stands for the instruction the body runs on; the emitter puts the part's slot there.</summary>
        public const string InstructionToken = "__ins__";

        /// <summary>
        /// Stands for the local that holds a [ForwardedField] of the cpu: reads are the token, writes
        /// are <c>cpu.F = token = value</c>. In a single instruction the emitter writes the field
        /// itself there; in a superinstruction, only a local declared at its label, which goes back
        /// to the field when the label is left.
        /// </summary>
        public static string ForwardedToken(string field) => "__fwd_" + field + "__";

        /// <summary>
        /// The line that says, at the start of one side of a branch on a bool forwarded field, what the
        /// field is there: a superinstruction sets its local to the constant (so the compare that set it
        /// needs to keep no value); a single instruction drops the line.
        /// </summary>
        public static string KnownFlag(string field, bool value) => ForwardedToken(field) + (value ? " = true;" : " = false;");

        /// <summary>
        /// Stand for <c>cpu.Pc</c> and <c>cpu.PcAddress</c>, read: the emitter computes them from the
        /// part's slot, so a handler never waits on the pc it was just handed through memory.
        /// </summary>
        public const string PcToken = "__pc__";
        public const string PcAddressToken = "__pcaddress__";

        public static string Placeholder(int exit) => "__exit" + exit.ToString(System.Globalization.CultureInfo.InvariantCulture) + "__;";
    }

    /// <summary>
    /// A [ForwardedField] of the cpu that a body uses: its name and C# type, and whether it is
    /// resident (kept in a local of the whole interpreter rather than of one superinstruction).
    /// </summary>
    internal sealed record ForwardedField(string Name, string Type, bool Resident);

    /// <summary>The result of reading one [Opcode] method: a model, diagnostics, or both.</summary>
    internal sealed record OpcodeParseResult(string Namespace, EquatableArray<string> Usings, OpcodeModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>One [Superinstruction] attribute as written: each position's mnemonics, split at '|', and whether it has loop variants.</summary>
    internal sealed record SuperinstructionDeclaration(EquatableArray<MnemonicChoice> Positions, bool Loops, LocationInfo? Location);

    /// <summary>The mnemonics allowed at one position of a superinstruction.</summary>
    internal sealed record MnemonicChoice(EquatableArray<string> Mnemonics);

    /// <summary>
    /// A superinstruction: its dispatch index, the indexes (into the opcode list) of its parts, and
    /// the dispatch index of its loop variant (its last part branching to its own first slot), or -1.
    /// </summary>
    internal sealed record SuperinstructionModel(int DispatchIndex, EquatableArray<int> Parts, int LoopIndex)
    {
        public bool HasLoop => LoopIndex >= 0;
    }

    /// <summary>
    /// The whole instruction set, sorted by number, ready to emit. Dispatch indexes: the opcodes
    /// in order, then the four pseudo-ops (end of program, truncated, bad register, jump fault),
    /// then the superinstructions, then their loop variants.
    /// </summary>
    internal sealed record InstructionSetModel(
        string Namespace,
        EquatableArray<string> Usings,
        EquatableArray<OpcodeModel> Opcodes,
        EquatableArray<SuperinstructionModel> Superinstructions)
    {
        /// <summary>End of program, truncated, bad register, jump fault, target fault: the dispatch indexes between the opcodes and the superinstructions.</summary>
        public const int PseudoOpCount = 5;

        public int EndIndex => Opcodes.Count;
        public int TruncatedIndex => Opcodes.Count + 1;
        public int BadRegisterIndex => Opcodes.Count + 2;
        public int JumpFaultIndex => Opcodes.Count + 3;
        public int TargetFaultIndex => Opcodes.Count + 4;
        public int FirstSuperinstructionIndex => Opcodes.Count + PseudoOpCount;
        public int DispatchCount => FirstSuperinstructionIndex + Superinstructions.Count + Superinstructions.Count(s => s.HasLoop);
    }
}
