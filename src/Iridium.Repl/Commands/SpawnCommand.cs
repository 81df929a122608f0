using Iridium.Crypto;
using Iridium.Repl.Engine;
using Iridium.Repl.Programs;
using Iridium.Repl.Terminal;
using Iridium.Vm;

namespace Iridium.Repl.Commands;

/// <summary>
/// <c>!spawn [PATH]</c> (PROPOSED): assembles the file and runs it on a new VM (fresh state, the
/// session's alias) as the root process of a new group on the host's scheduler, in the background.
/// Its output (and its group's) and its events come back to the session that spawned it when the
/// whole group has ended. The session's own VM and symbols are untouched. The host's process
/// limit (<c>--max-processes</c>) bounds it; the end of a remote session kills it.
/// </summary>
internal sealed class SpawnCommand : ReplCommand
{
    /// <summary>Spawned output kept for the report; the rest is dropped (a VM can print forever).</summary>
    public const int OutputCap = 64 * 1024;

    public override string Name => "!spawn";
    public override string Usage => "!spawn [PATH]";
    public override string Summary => "run PATH on a new VM in the background; its events are reported when it stops";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        var program = await ProgramLoader.LoadAsync(session, arguments.Rest, cancellation).ConfigureAwait(false);
        if (program is null) return ReplOutcome.Continue;

        var options = session.Options;
        var processes = options.Processes;
        var machine = new Machine(SecureRandom.NewGuid(), options.Alias, options.MaxHeapBytes, options.HeapBudget) { Runtime = processes };
        machine.LoadImage(program.Image);
        var output = new CappedOutputStream(OutputCap);
        // The image was assembled just now, so its header is valid and Start finds no fault.
        machine.Start();
        // Announce first: a short program can finish, and report, before Start even returns.
        session.Say($"spawned vm {machine.Id} from {program.Path}");
        var started = processes.Start(machine, output, new GroupOptions { MaxSteps = options.MaxSteps ?? long.MaxValue });
        if (started is null)
        {
            machine.ReleaseHeap();
            session.Say($"vm {machine.Id} not spawned after all: the host's process limit ({processes.Limits.MaxProcesses}, --max-processes) is reached");
            return ReplOutcome.Continue;
        }
        session.Spawned.Started();
        var terminal = session.Terminal;
        // The end of the session (a remote user leaving) kills the whole group; the console's lasts.
        var kill = options.Lifetime.UnsafeRegister(static state =>
        {
            var (processes, group) = ((ProcessRuntime, ProcessGroup))state!;
            processes.KillGroup(group);
        }, (processes, started.Group));
        _ = started.Group.WhenEnded().ContinueWith(_ =>
        {
            kill.Dispose();
            try
            {
                terminal.Notify(Report(program.Path, machine, started, output));
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The session is gone: nobody wants the report.
            }
            finally
            {
                session.Spawned.Reported();
            }
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return ReplOutcome.Continue;
    }

    /// <summary>The report of a finished VM: its output, then its events (the original's "VM Events" listing).</summary>
    private static List<string> Report(string path, Machine machine, Process process, CappedOutputStream output)
    {
        // The scheduler ran it without events: the final one is added here, as Machine.Run would.
        machine.Finish(process.EndReason == DownReason.Killed
            ? new ExecutionResult(ExecutionStatus.Interrupted, 0, machine.Pc)
            : machine.LastResult);
        var lines = new List<string> { $"vm {machine.Id} ({path}) finished" };
        string text = output.Text();
        if (text.Length > 0)
        {
            lines.Add("output:");
            lines.AddRange(text.TrimEnd('\n').Split('\n').Select(l => "  " + l));
            if (output.Truncated) lines.Add($"  (output cut after {OutputCap} bytes)");
        }
        lines.Add("VM Events");
        lines.Add("---------");
        lines.AddRange(machine.Events.Select(e => "  " + e));
        if (ExecutionReport.HeapLimit(machine.LastHeapRefusal) is { } why) lines.Add($"heap: {why}");
        return lines;
    }
}
