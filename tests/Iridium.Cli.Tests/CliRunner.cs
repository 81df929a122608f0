using System.Runtime.InteropServices;
using Iridium.Cli.CommandLine;

namespace Iridium.Cli.Tests;

/// <summary>
/// Runs `iridium ARGS...` in this process, as the binary's Main does, with stdout and stderr
/// captured (a program's own output goes to the real standard output, not captured). Only from
/// tests in <see cref="EnvironmentCollection"/>: the console and the exit code are process-wide.
/// </summary>
internal static class CliRunner
{
    public sealed record Result(int Status, string Out, string Error);

    public static Result Run(params string[] args)
    {
        var (savedOut, savedError) = (Console.Out, Console.Error);
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int status = CommandLineApp.Run(args, guardStandardOutput: false);
            return new Result(status, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
            Environment.ExitCode = 0;
        }
    }

    /// <summary>Makes a FIFO (named pipe) at <paramref name="path"/>.</summary>
    public static void MakeFifo(string path)
    {
        if (mkfifo(path, 0x180 /* 0600 */) != 0) throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
