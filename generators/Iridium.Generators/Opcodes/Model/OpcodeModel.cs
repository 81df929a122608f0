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
        LocationInfo? Location);

    /// <summary>One operand: its runtime OperandKind member name and its encoded width.</summary>
    internal sealed record OperandModel(string Kind, int Width, bool IsRegister, bool IsAddress);

    /// <summary>The result of reading one [Opcode] method: a model, diagnostics, or both.</summary>
    internal sealed record OpcodeParseResult(string Namespace, OpcodeModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>The whole instruction set, sorted by number, ready to emit.</summary>
    internal sealed record InstructionSetModel(string Namespace, EquatableArray<OpcodeModel> Opcodes);
}
