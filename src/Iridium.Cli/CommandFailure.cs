namespace Iridium.Cli;

/// <summary>
/// A command cannot go on, for a reason the user can act on: the message is printed as one line,
/// <c>iridium: MESSAGE</c>, and the process exits with <see cref="ExitCode"/> (one of
/// <see cref="ExitCodes"/>). Never shown with a stack trace.
/// </summary>
internal sealed class CommandFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CommandFailure Usage(string message) => new(ExitCodes.Usage, message);

    public static CommandFailure Config(string message) => new(ExitCodes.Config, message);
}
