namespace Iridium.Vm;

public enum ExecutionStatus : byte
{
    /// <summary>Single-step only: the instruction ran and the machine can go on.</summary>
    Running,
    /// <summary>A GracefulStop: HLT (code 0), IGL or running off the end (code 1).</summary>
    Stopped,
    /// <summary>A fault (Crash event); the faulting instruction had no effect.</summary>
    Faulted,
    /// <summary>
    /// Stopped from outside (the run's interrupt token): pc is on the next instruction, which has
    /// not run, and everything else is as the last executed instruction left it.
    /// </summary>
    Interrupted,
}

/// <summary>
/// How a run or a single step ended. <see cref="Pc"/> is the byte address of the instruction
/// that stopped or faulted (for faults the machine's pc is left there too), or of the next
/// instruction when the run was interrupted.
/// </summary>
public readonly record struct ExecutionResult(ExecutionStatus Status, int Code, int Pc)
{
    public FaultCode Fault => Status == ExecutionStatus.Faulted ? (FaultCode)Code : FaultCode.None;
}
