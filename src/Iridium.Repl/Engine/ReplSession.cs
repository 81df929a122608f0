using Iridium.Assembler;
using Iridium.Repl.Commands;
using Iridium.Repl.Terminal;
using Iridium.Vm;

namespace Iridium.Repl.Engine;

/// <summary>
/// One REPL (docs/reference/runtime.md, "The REPL"): a VM, the symbols of the last loaded program and the lines
/// typed so far. The same engine serves the local console, every remote session and the tests; each
/// front end only moves lines in and text out through an <see cref="IReplTerminal"/>.
/// The VM is a driven process of the host's <see cref="ReplSessionOptions.Processes"/> (handle 0 to
/// itself): what it runs, it runs on the runtime's scheduler (<see cref="RunAsync"/>), so a
/// typed RECV that waits holds no thread. Its mailbox lives between lines.
/// Not thread-safe: one line at a time.
/// </summary>
public sealed class ReplSession : IDisposable
{
    private readonly List<string> _history = [];
    private readonly TerminalOutputStream _programOutput;
    private readonly NoticeOutputStream _groupOutput;
    private Process? _process;
    private bool _disposed;

    public ReplSession(IReplTerminal terminal, ReplSessionOptions? options = null)
    {
        Terminal = terminal;
        Options = options ?? new ReplSessionOptions();
        _programOutput = new TerminalOutputStream(terminal, Options.MaxOutputBytes);
        _groupOutput = new NoticeOutputStream(terminal);
        Machine = new Machine(alias: Options.Alias, heapCap: Options.MaxHeapBytes, heapBudget: Options.HeapBudget) { Output = _programOutput };
        EnsureProcess();
    }

    /// <summary>
    /// The session VM's process now; null when the host's process limit refused it. After a kill
    /// (`iridium kill`, <c>!kill</c>) the next line that runs code starts a new one.
    /// </summary>
    public Process? Process => _process;

    /// <summary>
    /// The session's process was killed from outside (not ended by <see cref="Dispose"/>); raised on
    /// the killer's thread. A remote session ends then; the console goes on with a new process.
    /// </summary>
    public event Action? ProcessKilled;

    /// <summary>
    /// Runs the session's VM from its pc on the scheduler, for at most <paramref name="steps"/>
    /// steps (null: no limit), as <see cref="Machine.Continue"/> would; <paramref name="interrupt"/>
    /// (Ctrl-C) stops it, a waiting RECV too. Null when no process can be had (the limit): the
    /// user has been told, and nothing ran.
    /// </summary>
    internal async Task<ExecutionResult?> RunAsync(long? steps, CancellationToken interrupt)
    {
        if (EnsureProcess() is not { } process)
        {
            Say($"nothing was run: the host's process limit ({Options.Processes.Limits.MaxProcesses}, --max-processes) is reached, and this VM is no process now; try again later");
            return null;
        }
        return await Options.Processes.RunAsync(process, steps ?? long.MaxValue, interrupt).ConfigureAwait(false);
    }

    private Process? EnsureProcess()
    {
        if (_process is { State: not ProcessRunState.Ended }) return _process;
        var process = Options.Processes.StartDriven(Machine, _groupOutput, OnProcessEnded);
        _process = process;
        return process;
    }

    private void OnProcessEnded()
    {
        if (!Volatile.Read(ref _disposed)) ProcessKilled?.Invoke();
    }

    /// <summary><c>!spawn</c>ed VMs whose reports have not been delivered yet.</summary>
    internal SpawnedVms Spawned { get; } = new();

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
            else await TypedLineExecutor.ExecuteAsync(this, line, cancellation).ConfigureAwait(false);
            return ReplOutcome.Continue;
        }
        finally
        {
            EndProgramOutputLine();
        }
    }

    /// <summary>
    /// The session has ended: its process ends (reason 3, killed) with every process it SPAWNed,
    /// and its VM's heap goes back to the host (<see cref="Machine.ReleaseHeap"/>).
    /// </summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        if (_process is { } process)
        {
            Options.Processes.KillGroup(process.Group);
        }
        Machine.ReleaseHeap();
    }

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
