namespace Iridium.Repl.Engine;

/// <summary>
/// Words people type at a REPL prompt out of habit from other REPLs and shells. They are not
/// instructions, so instead of "unknown mnemonic" they get the command they were looking for.
/// </summary>
internal static class HabitWords
{
    public static string? HintFor(string line) => line.Trim().ToLowerInvariant() switch
    {
        "quit" or "exit" or "quit()" or "exit()" => "to leave, type !quit (or press Ctrl-D)",
        "help" or "help()" or "?" => "type !help for the commands and the instruction set, or !help NAME for one of them",
        _ => null,
    };
}
