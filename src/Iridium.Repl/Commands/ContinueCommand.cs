using Iridium.Repl.Engine;
using Iridium.Vm;

namespace Iridium.Repl.Commands;

/// <summary>
/// <c>!continue</c>: resumes the session VM's run where Ctrl-C (or a remote interrupt) stopped it,
/// or where it used up the session's step budget, with a new budget of the same size. Registers,
/// heap and stack are as the run left them (and as typed lines since then changed them, like a
/// debugger's continue), but only while that run's end is still the machine's last result (see
/// <see cref="ReplSession.ResumePoint"/>). A stop or another fault is final.
/// </summary>
internal sealed class ContinueCommand : ReplCommand
{
    public override string Name => "!continue";
    public override string Summary => "resume a run that Ctrl-C interrupted or that used up its step budget";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        if (!arguments.IsEmpty) return await UsageError(session, "!continue takes no arguments").ConfigureAwait(false);
        var machine = session.Machine;
        if (session.ResumePoint != machine.LastResult || session.ResumePoint is null)
        {
            session.Say("nothing to continue: !continue resumes a run that was interrupted (Ctrl-C) or that used up its step budget");
            return ReplOutcome.Continue;
        }
        long? budget = session.Options.MaxSteps;
        if (await session.RunAsync(budget, cancellation).ConfigureAwait(false) is not { } result) return ReplOutcome.Continue;
        session.Say(result.Status == ExecutionStatus.Running
            ? ExecutionReport.StepBudgetSpent(budget)
            : ExecutionReport.Describe(machine, result, result.Pc));
        session.Failed(result.Status == ExecutionStatus.Running
            ? new ReplFailure(ReplFailureKind.ProgramFailed, VmEventKind.Crash, (int)FaultCode.Steps)
            : ReplFailure.Of(result));
        session.RunEnded(result);
        return ReplOutcome.Continue;
    }
}
