using Iridium.Assembler;
using Iridium.Repl.Commands;
using Iridium.Repl.Terminal;
using Iridium.Vm;

namespace Iridium.Repl.Engine;

/// <summary>
/// One REPL (docs/reference/runtime.md, "The REPL"): a VM, the symbols of the last loaded program and the lines
/// typed so far. The same engine serves the local console, every remote session and the tests; each
/// front end only moves lines in and text out through an <see cref="IReplTerminal"/>.
/// Not thread-safe: one line at a time.
/// </summary>
public sealed class ReplSession : IDisposable
{
    private readonly List<string> _history = [];
    private readonly TerminalOutputStream _programOutput;

    public ReplSession(IReplTerminal terminal, ReplSessionOptions? options = null)
    {
        Terminal = terminal;
        Options = options ?? new ReplSessionOptions();
        _programOutput = new TerminalOutputStream(terminal, Options.MaxOutputBytes);
        Machine = new Machine(alias: Options.Alias, heapCap: Options.MaxHeapBytes, heapBudget: Options.HeapBudget) { Output = _programOutput };
    }

    public IReplTerminal Terminal { get; }
    public ReplSessionOptions Options { get; }

    /// <summary>The session's VM. Starts headerless and empty with pc = 0.</summary>
    public Machine Machine { get; }

    /// <summary>Labels of the last successful <c>!load_file</c>; typed lines resolve <c>@name</c> against them.</summary>
    public SymbolTable Symbols { get; internal set; } = SymbolTable.Empty;

    /// <summary>
    /// How the last whole run (<c>!load_file</c>, <c>!continue</c>) ended when <c>!continue</c> can
    /// resume it (interrupted, or out of step budget), else null. Resuming is allowed only while it
    /// is still the machine's last result: a typed line run since then ends the chance.
    /// </summary>
    public ExecutionResult? ResumePoint { get; internal set; }

    /// <summary>Notes how a whole run ended, for <c>!continue</c>, and says so when it can be resumed.</summary>
    internal void RunEnded(ExecutionResult result)
    {
        ResumePoint = result.Status is ExecutionStatus.Interrupted or ExecutionStatus.Running || result.Fault == FaultCode.Steps ? result : null;
        if (ResumePoint is not null) Say("(!continue resumes it)");
    }

    /// <summary>The first line of this session that failed (a piped script's exit status follows it), or null.</summary>
    public ReplFailure? FirstFailure { get; private set; }

    /// <summary>Notes a failed line; only the first one counts.</summary>
    internal void Failed(ReplFailure? failure) => FirstFailure ??= failure;

    /// <summary>
    /// The number of the input line being run, for error locations: the front end sets it when its
    /// input is a script (a typed line is always line 1 of its own).
    /// </summary>
    public int InputLine { get; set; } = 1;

    /// <summary>Every non-blank line of this session, oldest first.</summary>
    public IReadOnlyList<string> History => _history;

    /// <summary>Handles one line: a <c>!command</c> or assembly. Never throws for bad input.</summary>
    public async Task<ReplOutcome> ExecuteAsync(string line, CancellationToken cancellation = default)
    {
        line = line.TrimEnd('\r', '\n');
        if (line.Trim().Length == 0) return ReplOutcome.Continue;
        _history.Add(line);
        _programOutput.StartCommand();
        try
        {
            if (line.TrimStart().StartsWith('!')) return await CommandTable.DispatchAsync(this, line.Trim(), cancellation).ConfigureAwait(false);
            if (HabitWords.HintFor(line) is { } hint) Say(hint);
            else TypedLineExecutor.Execute(this, line);
            return ReplOutcome.Continue;
        }
        finally
        {
            EndProgramOutputLine();
        }
    }

    /// <summary>The session has ended: its VM's heap goes back to the process (<see cref="Machine.ReleaseHeap"/>).</summary>
    public void Dispose() => Machine.ReleaseHeap();

    /// <summary>A REPL message, on a line of its own even when program output left the cursor mid-line.</summary>
    public void Say(string message)
    {
        EndProgramOutputLine();
        foreach (var line in message.Split('\n')) Terminal.WriteLine(line);
    }

    /// <summary>Asks for a missing argument; null when there is no answer.</summary>
    public async ValueTask<string?> AskAsync(string question, CancellationToken cancellation)
    {
        EndProgramOutputLine();
        string? answer = await Terminal.AskAsync(question, cancellation).ConfigureAwait(false);
        if (answer is not null) _history.Add(answer);
        return answer?.Trim();
    }

    private void EndProgramOutputLine()
    {
        if (!_programOutput.MidLine) return;
        Terminal.Write("\n");
        _programOutput.MarkLineEnded();
    }
}
