using Iridium.Assembler;
using Iridium.Vm;

namespace Iridium.Repl.Engine;

/// <summary>
/// Runs one typed assembly line (docs/reference/runtime.md, "Typed assembly"): the line's own bytes
/// (two instructions for an expanded LOAD) are appended to the program, pc is set to the first of
/// them, and they are single-stepped in order. A stop, fault or taken jump ends the line there.
/// Because every line starts at its own bytes, a HLT, a fault or an odd instruction can never leave
/// later lines misaligned, which is how the original REPL drifted. Each instruction runs on the
/// host's scheduler as a one-step run of the session's process, so a RECV that waits holds no
/// thread; the line's cancellation (Ctrl-C, a remote interrupt) ends the wait, and the line.
/// </summary>
internal static class TypedLineExecutor
{
    public static async Task ExecuteAsync(ReplSession session, string line, CancellationToken interrupt)
    {
        var assembled = LineAssembler.Assemble(line, session.Symbols, session.InputLine);
        foreach (var warning in assembled.Warnings) session.Say("warning: " + warning);
        if (!assembled.Success)
        {
            foreach (var error in assembled.Errors) session.Say(error.Render());
            session.Say("nothing was executed");
            session.Failed(new ReplFailure(ReplFailureKind.InvalidProgram));
            return;
        }
        if (assembled.Code.Length == 0) return;   // a comment or a lone (ignored) label

        var machine = session.Machine;
        int start = machine.Program.Length;
        int end = start + assembled.Code.Length;
        machine.AppendCode(assembled.Code);
        machine.Pc = start;
        while (machine.Pc < end)
        {
            int at = machine.Pc;
            if (await session.RunAsync(1, interrupt).ConfigureAwait(false) is not { } result) return;
            if (result.Status == ExecutionStatus.Running && machine.Pc == at + 4) continue;
            session.Say(ExecutionReport.Describe(machine, result, at));
            session.Failed(ReplFailure.Of(result));
            return;
        }
    }
}
