namespace Iridium.Vm;

/// <summary>What a stopping instruction reports: the code of its GracefulStop event.</summary>
public enum StopCode : byte
{
    /// <summary>HLT.</summary>
    Halt = 0,
    /// <summary>IGL, any unknown opcode byte, or running off the end of the program.</summary>
    Illegal = 1,
}
