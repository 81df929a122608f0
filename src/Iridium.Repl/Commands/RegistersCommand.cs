using System.Globalization;
using System.Text;
using Iridium.Repl.Engine;
using Iridium.Vm;

namespace Iridium.Repl.Commands;

/// <summary><c>!registers</c>: integer and float registers, the equal flag, remainder, loop counter and pc (PROPOSED extension).</summary>
internal sealed class RegistersCommand : SimpleReplCommand
{
    private const int PerRow = 4;

    public override string Name => "!registers";
    public override string Summary => "show the integer and float registers, flags, remainder, loop counter and pc";

    protected override ReplOutcome Run(ReplSession session)
    {
        var machine = session.Machine;
        var ints = machine.Registers.ToArray().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
        var floats = machine.FloatRegisters.ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        session.Say("integer registers:");
        Table(session, ints);
        session.Say("float registers:");
        Table(session, floats);
        session.Say(string.Create(CultureInfo.InvariantCulture,
            $"equal flag: {(machine.EqualFlag ? "true" : "false")}  remainder: {machine.Remainder}  loop counter: {machine.LoopCounter}  pc: {machine.Pc}"));
        return ReplOutcome.Continue;
    }

    /// <summary>Four registers per line, <c>$n = value</c>, columns aligned.</summary>
    private static void Table(ReplSession session, string[] values)
    {
        int width = values.Max(v => v.Length);
        for (int row = 0; row < Machine.RegisterCount; row += PerRow)
        {
            var line = new StringBuilder("  ");
            for (int r = row; r < row + PerRow; r++)
                line.Append(string.Create(CultureInfo.InvariantCulture, $"${r}").PadLeft(3)).Append(" = ").Append(values[r].PadLeft(width)).Append("   ");
            session.Say(line.ToString().TrimEnd());
        }
    }
}
