namespace Iridium.Cli;

/// <summary>
/// The exit statuses of every `iridium` command: a contract scripts rely on. Programs keep the
/// original's 0/1, faults are 10 + the crash code (so they cannot be confused with anything
/// else), usage errors are 2 everywhere (programs already used 2), and the rest follow sysexits.h.
/// Every command maps its failures through these; <see cref="Table"/> is what `iridium --help`
/// prints, and the README carries the same table.
/// </summary>
internal static class ExitCodes
{
    /// <summary>HLT, or a command that succeeded.</summary>
    public const int Ok = 0;
    /// <summary>GracefulStop{1}: IGL, an undefined opcode, or running off the end.</summary>
    public const int IllegalStop = 1;
    /// <summary>`kv get`/`kv del`: the key does not exist; `kv cas`: it does not hold the expected value.</summary>
    public const int KeyAbsent = 1;
    /// <summary>Bad command-line usage: unknown command or option, bad or missing value.</summary>
    public const int Usage = 2;
    /// <summary>Added to a Crash code: 12..21 (HEADER, code 1, is an invalid program: 65).</summary>
    public const int CrashBase = 10;
    /// <summary>The program is invalid: assembly errors or a bad image (EX_DATAERR).</summary>
    public const int InvalidProgram = 65;
    /// <summary>The input file cannot be read (EX_NOINPUT).</summary>
    public const int NoInput = 66;
    /// <summary>A node or server cannot be reached, refused us, or a listener cannot bind (EX_UNAVAILABLE).</summary>
    public const int Unavailable = 69;
    /// <summary>A bug in iridium: an error nothing else explains (EX_SOFTWARE).</summary>
    public const int InternalError = 70;
    /// <summary>An output file cannot be written (EX_CANTCREAT).</summary>
    public const int CannotCreate = 73;
    /// <summary>`call`: the message was delivered and no answer came within the timeout; try again (EX_TEMPFAIL).</summary>
    public const int TempFail = 75;
    /// <summary>Authentication failed: the peer does not accept our cookie (EX_NOPERM).</summary>
    public const int NoPermission = 77;
    /// <summary>Bad configuration: config file, cookie, alias, data root (EX_CONFIG).</summary>
    public const int Config = 78;
    /// <summary>The user pressed Ctrl-C while a program ran (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
    /// <summary>The program was stopped with `iridium kill` (128 + SIGTERM).</summary>
    public const int Killed = 143;

    /// <summary>Every status with its meaning, in the order `iridium --help` lists them.</summary>
    public static IReadOnlyList<(string Status, string Meaning)> Table { get; } =
    [
        ("0", "success; a program ran to HLT"),
        ("1", "a program stopped with IGL, an undefined opcode or by running off its end; kv: no such key, or cas found another value"),
        ("2", "usage error: unknown command or option, bad or missing value"),
        ("10+N", "a program faulted with Crash{N}: " + FaultStatuses()),
        ("65", "invalid program: assembly errors or a bad image; kv: a key or value over the limits"),
        ("66", "an input file cannot be read"),
        ("69", "a node or server is unreachable, refused us or was lost, or an address cannot be bound; kv, store: the store is unavailable"),
        ("70", "internal error (a bug in iridium; please report it)"),
        ("73", "an output file cannot be written"),
        ("75", "call: no answer within the timeout"),
        ("77", "authentication failed: the peer rejected our cookie"),
        ("78", "configuration error: config file, cookie, alias or data root"),
        ("130", "interrupted with Ctrl-C (exec: the remote program was stopped; run: with --state-json, the state is written)"),
        ("143", "exec: the program was stopped with 'iridium kill'"),
    ];

    /// <summary>"12 TRUNCATED, 13 REGISTER, ...": from the VM's fault codes, so a new fault code is listed without an edit here.</summary>
    private static string FaultStatuses()
        => string.Join(", ", Enum.GetValues<Iridium.Vm.FaultCode>()
            .Where(code => code > Iridium.Vm.FaultCode.Header)
            .Select(code => $"{CrashBase + (int)code} {Iridium.Vm.FaultCodeExtensions.DisplayName(code)}"));
}
