using Iridium.Repl.Engine;
using Iridium.Repl.Terminal;

namespace Iridium.Repl.Console;

/// <summary>
/// The local console front end of the REPL (docs/reference/runtime.md): the banner, then <c>&gt;&gt;&gt; </c>
/// before every line, read with the line editor and its persistent history; Ctrl-C while a line
/// runs interrupts it (<see cref="InterruptKey"/>). When stdin or stdout is not a terminal it reads
/// plain lines with no banner or prompts, so scripts can pipe into it: errors then name the
/// script's line, and the first line that failed decides the exit status (see <see cref="RunAsync"/>).
/// Ctrl-D on an empty line says goodbye as <c>!quit</c> does.
/// </summary>
public sealed class ConsoleRepl : IDisposable
{
    private readonly bool _interactive = !System.Console.IsInputRedirected && !System.Console.IsOutputRedirected;
    private readonly TextWriter _output = System.Console.Out;
    private readonly LineCountingReader _input = new(System.Console.In);
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

    /// <returns>
    /// For piped input, the first line that failed (an assembly error, an unreadable file, a run
    /// that did not end with HLT), which the caller turns into the exit status `run` would give;
    /// null when every line ran, and always for an interactive session.
    /// </returns>
    public async Task<ReplFailure?> RunAsync(ReplSessionOptions options)
    {
        using var session = new ReplSession(_terminal, options);
        if (_interactive)
        {
            foreach (var line in ReplText.Banner(_version)) _terminal.WriteLine(line);
        }
        bool quit = false;
        while (ReadLine() is { } line)
        {
            if (!_interactive) session.InputLine = _input.LinesRead;
            var interrupt = new CancellationTokenSource();
            ReplOutcome outcome;
            using (_ctrlC?.WhileRunning(interrupt.Cancel))
            {
                outcome = await session.ExecuteAsync(line, interrupt.Token).ConfigureAwait(false);
            }
            if (outcome == ReplOutcome.Quit)
            {
                quit = true;
                break;
            }
        }
        if (_interactive && !quit) _terminal.WriteLine(ReplText.Farewell);   // Ctrl-D

        _history?.Compact();
        // A script that spawns VMs wants their reports: at the end of piped input, wait for them
        // (they are bounded by --max-steps when one is given).
        if (!_interactive) await session.Spawned.WaitForAllAsync().ConfigureAwait(false);
        _output.Flush();
        return _interactive ? null : session.FirstFailure;
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

    /// <summary>Standard input that counts the lines read from it (answers to questions included), so an error can name its script line.</summary>
    private sealed class LineCountingReader(TextReader inner) : TextReader
    {
        public int LinesRead { get; private set; }

        public override string? ReadLine()
        {
            string? line = inner.ReadLine();
            if (line is not null) LinesRead++;
            return line;
        }

        public override int Peek() => inner.Peek();

        public override int Read() => inner.Read();
    }
}
