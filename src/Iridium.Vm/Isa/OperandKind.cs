namespace Iridium.Vm;

/// <summary>The kinds of operand an instruction can take (docs/reference/assembly.md, "Operands").</summary>
public enum OperandKind : byte
{
    /// <summary>Integer register <c>$0..$31</c>, one byte.</summary>
    Register,
    /// <summary>Float register <c>$0..$31</c>, one byte.</summary>
    FloatRegister,
    /// <summary>Shift count <c>#1..#31</c>, optional (omitted = 16), one byte (0 when omitted).</summary>
    Count,
    /// <summary>LOAD's value: any signed 32-bit literal (expanded to LOAD+LUI) or a label ≤ 65535.</summary>
    Imm32,
    /// <summary>A 16-bit field taking −32768..65535 or a label.</summary>
    Imm16,
    /// <summary>An unsigned 16-bit field taking 0..65535 or a label (PRTS: an ro offset).</summary>
    U16,
    /// <summary>A code address: a label or 0..65535.</summary>
    Address,
    /// <summary>A literal 0..65535; labels are not accepted (CLOOP).</summary>
    Literal16,
    /// <summary>LOADF64's value: 0..65535 as an integer or an integral float literal.</summary>
    Float16,
}

public static class OperandKindExtensions
{
    /// <summary>Bytes the operand occupies in the 3 operand bytes of an instruction.</summary>
    public static int Width(this OperandKind kind) => kind switch
    {
        OperandKind.Register or OperandKind.FloatRegister or OperandKind.Count => 1,
        _ => 2,
    };

    public static bool IsRegister(this OperandKind kind) => kind is OperandKind.Register or OperandKind.FloatRegister;
}
