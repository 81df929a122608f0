using Iridium.Cli.CommandLine;

namespace Iridium.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        // Command bodies report their own failures (CommandBody); these are the last resort for
        // anything that escapes them, on this thread or another: one line and exit 70, never the
        // runtime's multi-line report of an unhandled exception.
        AppDomain.CurrentDomain.UnhandledException += (_, e) => Die(e.ExceptionObject as Exception);
        try
        {
            return CommandLineApp.Run(args);
        }
        catch (Exception e)
        {
            Die(e);
            return ExitCodes.InternalError;
        }
    }

    private static void Die(Exception? e)
    {
        try
        {
            Console.Error.WriteLine($"iridium: internal error ({e?.GetType().Name ?? "unknown"}): {e?.Message}");
        }
        finally
        {
            Environment.Exit(ExitCodes.InternalError);
        }
    }
}
