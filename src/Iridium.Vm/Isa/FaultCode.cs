namespace Iridium.Vm;

/// <summary>Crash codes of the fault model (docs/reference/isa.md), plus STEPS for the step budget.</summary>
public enum FaultCode : byte
{
    None = 0,
    /// <summary>Image shorter than 68 bytes, wrong magic, or ro length past the end.</summary>
    Header = 1,
    /// <summary>Fewer than 4 bytes remain at pc.</summary>
    Truncated = 2,
    /// <summary>A register operand byte is above 31.</summary>
    Register = 3,
    /// <summary>DIV by zero.</summary>
    DivZero = 4,
    /// <summary>A taken control transfer has an illegal target.</summary>
    Jump = 5,
    /// <summary>Stack underflow, overflow, or a damaged frame.</summary>
    Stack = 6,
    /// <summary>Heap access out of range, negative ALOC, or heap cap exceeded.</summary>
    Heap = 7,
    /// <summary>PRTS offset outside the ro data or no terminating NUL.</summary>
    RoData = 8,
    /// <summary>The run executed more instructions than its step budget allows.</summary>
    Steps = 9,
    /// <summary>An operand value outside its domain, e.g. PRTC of a value that is not a Unicode scalar value.</summary>
    Value = 10,
    /// <summary>A register value that is not a handle in the process's handle table, or a new handle when the table is full (docs/reference/isa.md, processes).</summary>
    Handle = 11,
}

public static class FaultCodeExtensions
{
    /// <summary>The upper-case name used in messages, e.g. <c>DIVZERO</c>.</summary>
    public static string DisplayName(this FaultCode code) => code switch
    {
        FaultCode.None => "NONE",
        FaultCode.Header => "HEADER",
        FaultCode.Truncated => "TRUNCATED",
        FaultCode.Register => "REGISTER",
        FaultCode.DivZero => "DIVZERO",
        FaultCode.Jump => "JUMP",
        FaultCode.Stack => "STACK",
        FaultCode.Heap => "HEAP",
        FaultCode.RoData => "RODATA",
        FaultCode.Steps => "STEPS",
        FaultCode.Value => "VALUE",
        FaultCode.Handle => "HANDLE",
        _ => "FAULT" + ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
