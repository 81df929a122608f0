using Iridium.Repl.Engine;
using Iridium.Repl.Terminal;

namespace Iridium.Repl.Console;

/// <summary>
/// The local console front end of the REPL (docs/reference/runtime.md): the banner, then <c>&gt;&gt;&gt; </c>
/// before every line, read with the line editor and its persistent history; Ctrl-C while a line
/// runs interrupts it (<see cref="InterruptKey"/>). When stdin or stdout is not a terminal it reads
/// plain lines with no banner or prompts, so scripts can pipe into it. End of input exits with status 0.
/// </summary>
public sealed class ConsoleRepl : IDisposable
{
    private readonly bool _interactive = !System.Console.IsInputRedirected && !System.Console.IsOutputRedirected;
    private readonly TextWriter _output = System.Console.Out;
    private readonly TextReader _input = System.Console.In;
    private readonly LineEditor? _editor;
    private readonly LineHistory? _history;
    private readonly ConsoleTerminal _terminal;
    private readonly InterruptKey? _ctrlC;
    private readonly string _version;

    /// <param name="historyPath">The history file (<c>&lt;data-root&gt;/history</c>), or null for none.</param>
    /// <param name="version">Shown in the banner.</param>
    public ConsoleRepl(string? historyPath, string version)
    {
        _version = version;
        if (_interactive)
        {
            _editor = new LineEditor(new ConsoleKeySource(), _output);
            _history = new LineHistory(historyPath);
            _ctrlC = new InterruptKey();
        }
        _terminal = new ConsoleTerminal(_output, _input, _editor);
        Reports = _editor is { } editor
            ? new LineWriter(line => editor.WriteAbove([ReportPrefix + line]))
            : new LineWriter(line => System.Console.Error.WriteLine(ReportPrefix + line));
    }

    private const string ReportPrefix = "iridium: ";

    /// <summary>
    /// Where the rest of the process reports (the remote REPL server's log), one line at a time:
    /// above the line being edited, so it never garbles it; on stderr when there is no line editor.
    /// </summary>
    public TextWriter Reports { get; }

    /// <returns>The process exit status.</returns>
    public async Task<int> RunAsync(ReplSessionOptions options)
    {
        var session = new ReplSession(_terminal, options);
        if (_interactive)
        {
            foreach (var line in ReplText.Banner(_version)) _terminal.WriteLine(line);
        }
        while (ReadLine() is { } line)
        {
            var interrupt = new CancellationTokenSource();
            ReplOutcome outcome;
            using (_ctrlC?.WhileRunning(interrupt.Cancel))
            {
                outcome = await session.ExecuteAsync(line, interrupt.Token).ConfigureAwait(false);
            }
            if (outcome == ReplOutcome.Quit) break;
        }

        _history?.Compact();
        // A script that spawns VMs wants their reports: at the end of piped input, wait for them
        // (they are bounded by --max-steps when one is given).
        if (!_interactive) await options.Scheduler.WaitForIdleAsync(Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        _output.Flush();
        return 0;
    }

    /// <summary>The next line to run; null at the end of input.</summary>
    private string? ReadLine()
    {
        if (_editor is null) return _input.ReadLine();
        while (true)
        {
            var read = _editor.ReadLine(ReplText.Prompt, _history);
            if (read.Status == LineEditStatus.Cancelled) continue;
            if (read.Status == LineEditStatus.EndOfInput) return null;
            _history!.Add(read.Text);
            return read.Text;
        }
    }

    public void Dispose() => _ctrlC?.Dispose();
}
