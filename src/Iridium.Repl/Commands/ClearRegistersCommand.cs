using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary><c>!clear_registers</c>: zeroes the 32 integer registers (float registers untouched, as in the original).</summary>
internal sealed class ClearRegistersCommand : SimpleReplCommand
{
    public override string Name => "!clear_registers";
    public override string Summary => "set the 32 integer registers to 0";

    protected override ReplOutcome Run(ReplSession session)
    {
        session.Machine.ClearRegisters();
        session.Say("integer registers set to 0");
        return ReplOutcome.Continue;
    }
}
