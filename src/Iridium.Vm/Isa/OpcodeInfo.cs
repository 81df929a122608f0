namespace Iridium.Vm;

/// <summary>How an instruction affects control flow, inferred from its handler's return type.</summary>
public enum ControlFlow : byte
{
    /// <summary>Falls through to the next instruction; cannot fault.</summary>
    Next,
    /// <summary>Falls through unless it faults.</summary>
    NextOrFault,
    /// <summary>May transfer control (a jump, call, return or loop).</summary>
    Jump,
    /// <summary>Ends the run (HLT, IGL).</summary>
    Stop,
}

/// <summary>Metadata of one opcode, generated from its <see cref="OpcodeAttribute"/> definition.</summary>
public sealed class OpcodeInfo(Opcode opcode, string mnemonic, string format, OperandKind[] operands, ControlFlow flow, string semantics)
{
    public Opcode Opcode { get; } = opcode;
    public byte Number => (byte)Opcode;
    /// <summary>Upper-case mnemonic.</summary>
    public string Mnemonic { get; } = mnemonic;
    /// <summary>The operand format as declared, e.g. <c>R R R</c>.</summary>
    public string Format { get; } = format;
    public IReadOnlyList<OperandKind> Operands { get; } = operands;
    public ControlFlow Flow { get; } = flow;
    public bool IsJump => Flow == ControlFlow.Jump;
    public bool CanFault => Flow is ControlFlow.NextOrFault or ControlFlow.Jump;
    /// <summary>One line of register-transfer semantics.</summary>
    public string Semantics { get; } = semantics;

    public override string ToString() => Format.Length == 0 ? Mnemonic : $"{Mnemonic} {Format}";
}
