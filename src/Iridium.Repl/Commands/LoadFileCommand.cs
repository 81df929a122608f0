using Iridium.Repl.Engine;
using Iridium.Repl.Programs;
using Iridium.Vm;

namespace Iridium.Repl.Commands;

/// <summary>
/// <c>!load_file [PATH]</c> (PROPOSED): assembles the file with a fresh assembler, replaces the
/// session VM's program with the image (registers, heap, stack and flags stay), runs it within the
/// session's step budget and reports the final event. Its labels become the session's symbols.
/// The line's cancellation (Ctrl-C, a remote interrupt) interrupts the run and keeps the state;
/// <c>!continue</c> resumes it (and a run that used up its step budget).
/// </summary>
internal sealed class LoadFileCommand : ReplCommand
{
    public override string Name => "!load_file";
    public override string Usage => "!load_file [PATH]";
    public override string Summary => "assemble PATH, make it the program, run it; its labels become usable as @name";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        var program = await ProgramLoader.LoadAsync(session, arguments.Rest, cancellation).ConfigureAwait(false);
        if (program is null) return ReplOutcome.Continue;

        var machine = session.Machine;
        machine.LoadImage(program.Image);
        session.Symbols = program.Symbols;
        session.Say($"loaded {program.Path}: {program.Image.Length} bytes, {program.Symbols.Count} label(s); running");
        // As Machine.Run does, but on the scheduler: the Start event and the header, the run, the final event.
        var final = machine.Start();
        if (final is null)
        {
            if (await session.RunAsync(session.Options.MaxSteps, cancellation).ConfigureAwait(false) is not { } result) return ReplOutcome.Continue;
            final = machine.Finish(result);
        }
        session.Say(ExecutionReport.Describe(machine, final, session.Options.MaxSteps));
        session.Failed(ReplFailure.Of(final));
        session.RunEnded(machine.LastResult);
        return ReplOutcome.Continue;
    }
}
