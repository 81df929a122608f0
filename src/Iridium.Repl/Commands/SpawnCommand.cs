using Iridium.Crypto;
using Iridium.Repl.Engine;
using Iridium.Repl.Programs;
using Iridium.Repl.Scheduling;

namespace Iridium.Repl.Commands;

/// <summary>
/// <c>!spawn [PATH]</c> (PROPOSED): assembles the file and runs it on a new VM (fresh state, the
/// session's alias) on the scheduler, in the background. The events and the output come back to
/// the session that spawned it when the VM stops. The session's own VM and symbols are untouched.
/// </summary>
internal sealed class SpawnCommand : ReplCommand
{
    public override string Name => "!spawn";
    public override string Usage => "!spawn [PATH]";
    public override string Summary => "run PATH on a new VM in the background; its events are reported when it stops";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        var program = await ProgramLoader.LoadAsync(session, arguments.Rest, cancellation).ConfigureAwait(false);
        if (program is null) return ReplOutcome.Continue;

        var scheduler = session.Options.Scheduler;
        var terminal = session.Terminal;
        if (scheduler.IsFull)
        {
            session.Say($"not spawned: {scheduler.Pending} VMs are already running or waiting (limit {scheduler.MaxConcurrent} running + {scheduler.MaxQueued} waiting)");
            return ReplOutcome.Continue;
        }
        var vmId = SecureRandom.NewGuid();
        string queued = scheduler.IsBusy ? $" (waiting for one of {scheduler.MaxConcurrent} slots)" : "";
        // Announce first: a short program can finish, and report, before TrySpawn even returns.
        session.Say($"spawned vm {vmId} from {program.Path}{queued}");
        if (!scheduler.TrySpawn(vmId, program.Image, session.Options.Alias, session.Options.MaxSteps,
                outcome => terminal.Notify(Report(program.Path, outcome)), session.Options.MaxHeapBytes, session.Options.Lifetime,
                (Path.GetFileName(program.Path), session.Options.IsRemote ? "remote session" : "console")))
        {
            session.Say($"vm {vmId} not spawned after all: the scheduler filled up meanwhile");
        }
        return ReplOutcome.Continue;
    }

    /// <summary>The report of a finished VM: its output, then its events (the original's "VM Events" listing).</summary>
    private static List<string> Report(string path, SpawnOutcome outcome)
    {
        if (outcome.Failure is not null) return [$"vm {outcome.VmId} ({path}) failed: {outcome.Failure}"];
        var lines = new List<string> { $"vm {outcome.VmId} ({path}) finished" };
        if (outcome.Output.Length > 0)
        {
            lines.Add("output:");
            lines.AddRange(outcome.Output.TrimEnd('\n').Split('\n').Select(l => "  " + l));
            if (outcome.OutputTruncated) lines.Add($"  (output cut after {VmScheduler.OutputCap} bytes)");
        }
        lines.Add("VM Events");
        lines.Add("---------");
        lines.AddRange(outcome.Events.Select(e => "  " + e));
        if (ExecutionReport.HeapLimit(outcome.HeapRefusal) is { } why) lines.Add($"heap: {why}");
        return lines;
    }
}
