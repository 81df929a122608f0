namespace Iridium.Repl.Terminal;

/// <summary>
/// Where one REPL session talks to its user: the local console, a remote connection, or a test.
/// The engine calls <see cref="WriteLine"/>, <see cref="Write"/> and <see cref="AskAsync"/> from
/// the thread handling the current line; <see cref="Notify"/> may come from any thread at any time
/// (a spawned VM finishing), so implementations must make it safe against the others.
/// </summary>
public interface IReplTerminal
{
    /// <summary>One message line of the REPL (no trailing newline in <paramref name="line"/>).</summary>
    void WriteLine(string line);

    /// <summary>Raw program output (PRTS), which need not end in a newline.</summary>
    void Write(string text);

    /// <summary>Lines that arrive on their own, not as the answer to the current line.</summary>
    void Notify(IReadOnlyList<string> lines);

    /// <summary>
    /// Asks the user a question (a missing path) and returns the answer, or null when the user
    /// gave none (end of input, Ctrl-C, session closing).
    /// </summary>
    ValueTask<string?> AskAsync(string question, CancellationToken cancellation);
}
