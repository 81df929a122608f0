namespace Iridium.Cli.CommandLine;

/// <summary>
/// Runs a command's body and turns whatever stops it into one line on stderr and an exit status:
/// a <see cref="CommandFailure"/> says what the user can do about it; anything else is a bug in
/// iridium (exit 70), still reported in one line. Users never see a stack trace.
/// </summary>
internal static class CommandBody
{
    public static int Run(string command, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e)
        {
            return Report(command, e);
        }
    }

    public static async Task<int> RunAsync(string command, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return Report(command, e);
        }
    }

    /// <summary>A usage error found by the parser (unknown option, bad value): exit 2 with a pointer to the command's help.</summary>
    public static void ReportUsage(string command, string message)
    {
        Say($"iridium: {message}\nTry '{HelpCommand(command)}'.");
        Environment.ExitCode = ExitCodes.Usage;
    }

    private static int Report(string command, Exception e)
    {
        if (e is CommandFailure failure)
        {
            if (failure.ExitCode == ExitCodes.Usage)
            {
                ReportUsage(command, failure.Message);
            }
            else
            {
                Say($"iridium: {failure.Message}");
            }
            return failure.ExitCode;
        }
        Say($"iridium: internal error ({e.GetType().Name}): {e.Message}");
        return ExitCodes.InternalError;
    }

    /// <summary>One line on stderr; when even stderr cannot be written (<c>2&gt; /dev/full</c>) the exit status still tells.</summary>
    private static void Say(string line)
    {
        try
        {
            Console.Error.WriteLine(line);
        }
        catch (IOException)
        {
        }
    }

    private static string HelpCommand(string command) => command.Length == 0 ? "iridium --help" : $"iridium {command} --help";
}
