using Iridium.Vm;

namespace Iridium.Cli.Programs;

/// <summary>How a program's end becomes the exit status (`run`, `exec`): 0 HLT, 1 IGL, 65 for a bad image, 10 + the fault code.</summary>
internal static class ProgramStatus
{
    public static int Of(VmEventKind kind, int code) => kind switch
    {
        VmEventKind.GracefulStop => code == 0 ? ExitCodes.Ok : ExitCodes.IllegalStop,
        VmEventKind.Crash when code == (int)FaultCode.Header => ExitCodes.InvalidProgram,
        VmEventKind.Crash => ExitCodes.CrashBase + code,
        VmEventKind.Interrupted => ExitCodes.Interrupted,
        _ => ExitCodes.InternalError,
    };
}
