namespace Iridium.Cli;

/// <summary>
/// Exit statuses of `iridium` (a contract scripts rely on). Faults map to 10 + crash code so they
/// cannot be confused with usage errors or bad programs; 65/66 follow sysexits.h.
/// </summary>
internal static class ExitCodes
{
    /// <summary>HLT, or a command that succeeded.</summary>
    public const int Ok = 0;
    /// <summary>GracefulStop{1}: IGL, an undefined opcode, or running off the end.</summary>
    public const int IllegalStop = 1;
    /// <summary>Bad command-line usage.</summary>
    public const int Usage = 2;
    /// <summary>Added to a Crash code: 11..19.</summary>
    public const int CrashBase = 10;
    /// <summary>The program is invalid: assembly errors or a bad image (EX_DATAERR).</summary>
    public const int InvalidProgram = 65;
    /// <summary>The input file cannot be read (EX_NOINPUT).</summary>
    public const int NoInput = 66;
    /// <summary>An output file cannot be written (EX_CANTCREAT).</summary>
    public const int CannotCreate = 73;
    /// <summary>A cluster node cannot be reached, refused us, or the listener cannot bind (EX_UNAVAILABLE).</summary>
    public const int Unavailable = 69;
    /// <summary>Bad configuration: settings file, cookie, alias, data root (EX_CONFIG).</summary>
    public const int Config = 78;
}
