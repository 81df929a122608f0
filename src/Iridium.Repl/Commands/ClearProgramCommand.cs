using Iridium.Assembler;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary>
/// <c>!clear_program</c>: empties the program and its ro data and resets pc to 0 (PROPOSED; the
/// original kept pc, so typed lines stopped running). The loaded program's labels go too: they
/// named addresses in the program that is gone, and so does a run <c>!continue</c> could have resumed.
/// </summary>
internal sealed class ClearProgramCommand : SimpleReplCommand
{
    public override string Name => "!clear_program";
    public override string Summary => "empty the program, its ro data and symbols; pc = 0 (registers stay)";

    protected override ReplOutcome Run(ReplSession session)
    {
        session.Machine.ClearProgram();
        session.Symbols = SymbolTable.Empty;
        // The interrupted run's code is gone: there is nothing left to continue.
        session.ResumePoint = null;
        session.Say("program cleared");
        return ReplOutcome.Continue;
    }
}
