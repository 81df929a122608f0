using Iridium.Repl.Engine;

namespace Iridium.Repl.Console;

/// <summary>
/// The local console front end of the REPL (runtime.md §3.4): the banner, then <c>&gt;&gt;&gt; </c>
/// before every line, read with the line editor and its persistent history. When stdin or stdout
/// is not a terminal it reads plain lines with no banner or prompts, so scripts can pipe into it.
/// End of input exits with status 0.
/// </summary>
public static class ConsoleRepl
{
    /// <param name="historyPath">The history file (<c>&lt;data-root&gt;/history</c>), or null for none.</param>
    /// <returns>The process exit status.</returns>
    public static async Task<int> RunAsync(ReplSessionOptions options, string? historyPath)
    {
        bool interactive = !System.Console.IsInputRedirected && !System.Console.IsOutputRedirected;
        var output = System.Console.Out;
        var input = System.Console.In;
        var editor = interactive ? new LineEditor(new ConsoleKeySource(), output) : null;
        var history = interactive ? new LineHistory(historyPath) : null;
        var terminal = new ConsoleTerminal(output, input, editor);
        var session = new ReplSession(terminal, options);

        if (interactive) terminal.WriteLine(ReplText.Banner);
        while (true)
        {
            string? line;
            if (editor is not null)
            {
                var read = editor.ReadLine(ReplText.Prompt, history);
                if (read.Status == LineEditStatus.Cancelled) continue;
                if (read.Status == LineEditStatus.EndOfInput) break;
                line = read.Text;
                history!.Add(line);
            }
            else
            {
                line = input.ReadLine();
                if (line is null) break;
            }
            if (await session.ExecuteAsync(line).ConfigureAwait(false) == ReplOutcome.Quit) break;
        }

        history?.Compact();
        // A script that spawns VMs wants their reports: at the end of piped input, wait for them
        // (they are bounded by --max-steps when one is given).
        if (!interactive) await options.Scheduler.WaitForIdleAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        output.Flush();
        return 0;
    }
}
