namespace Iridium.Cli.CommandLine;

/// <summary>
/// The one wording of an option no command knows, for `node`'s parser and the generated one:
/// the nearest long option when a typo is likely (<c>unknown option '--max-step'; did you mean
/// '--max-steps'?</c>) or the one option it begins, else that it is not recognized. One-letter
/// options get no guess: every other letter is one edit away.
/// </summary>
internal static class UnknownOption
{
    public static string Message(string option, IEnumerable<string> known)
        => option.StartsWith("--", StringComparison.Ordinal) && Nearest(option, known.ToList()) is { } suggestion
            ? $"unknown option '{option}'; did you mean '{suggestion}'?"
            : $"option '{option}' is not recognized";

    /// <summary>A typo's nearest option, else the one option the word begins (<c>--timeout</c> for <c>--timeout-ms</c>).</summary>
    private static string? Nearest(string option, IReadOnlyList<string> known)
        => EditDistance.Nearest(option, known, "--")
            ?? (known.Where(k => k.StartsWith(option, StringComparison.OrdinalIgnoreCase)).ToList() is [var only] ? only : null);

    public static CommandFailure Failure(string option, IEnumerable<string> known) => CommandFailure.Usage(Message(option, known));
}
