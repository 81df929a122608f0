using Iridium.Vm;

namespace Iridium.Repl.Engine;

/// <summary>What kind of line failed, for the exit status of a piped script.</summary>
public enum ReplFailureKind
{
    /// <summary>Assembly errors: in a typed line or in a file <c>!load_file</c> read.</summary>
    InvalidProgram,
    /// <summary>A file <c>!load_file</c> was given cannot be read.</summary>
    UnreadableFile,
    /// <summary>A run ended other than by HLT: IGL or the end of the program (GracefulStop{1}), or a fault (Crash{N}).</summary>
    ProgramFailed,
}

/// <summary>
/// The first line of a session that failed, as `iridium run` would judge it: a piped script
/// (<c>iridium &lt; script.txt</c>) exits with the status `run` gives for it, though the lines after
/// it still run. <see cref="EventKind"/> and <see cref="Code"/> are the run's end for <see cref="ReplFailureKind.ProgramFailed"/>.
/// </summary>
public readonly record struct ReplFailure(ReplFailureKind Kind, VmEventKind EventKind = VmEventKind.GracefulStop, int Code = 0)
{
    /// <summary>The failure a run's end stands for, or null for HLT and for an interrupt (the user's own doing).</summary>
    public static ReplFailure? Of(ExecutionResult result) => result.Status switch
    {
        ExecutionStatus.Stopped when result.Code != 0 => new ReplFailure(ReplFailureKind.ProgramFailed, VmEventKind.GracefulStop, result.Code),
        ExecutionStatus.Faulted => new ReplFailure(ReplFailureKind.ProgramFailed, VmEventKind.Crash, result.Code),
        _ => null,
    };

    /// <inheritdoc cref="Of(ExecutionResult)"/>
    public static ReplFailure? Of(VmEvent final) => final.Kind switch
    {
        VmEventKind.GracefulStop when final.Code != 0 => new ReplFailure(ReplFailureKind.ProgramFailed, VmEventKind.GracefulStop, final.Code),
        VmEventKind.Crash => new ReplFailure(ReplFailureKind.ProgramFailed, VmEventKind.Crash, final.Code),
        _ => null,
    };
}
