using Iridium.Repl.Engine;
using Iridium.Vm;

namespace Iridium.Repl.Commands;

/// <summary>
/// <c>!help [NAME]</c>: the commands and the instruction set. The opcode list comes from the opcode
/// metadata the generator emits (<see cref="OpcodeTable.All"/>), so it can never disagree with the VM.
/// </summary>
internal sealed class HelpCommand : ReplCommand
{
    public override string Name => "!help";
    public override string Usage => "!help [COMMAND|MNEMONIC]";
    public override string Summary => "list the commands and instructions, or explain one";

    public override ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        if (arguments.Words.Length > 1) return UsageError(session);
        if (arguments.Words.Length == 1) return ExplainOne(session, arguments.Words[0]);

        session.Say("Type assembly to run it at once, e.g. 'load $0 #42', or a command:");
        int width = CommandTable.All.Max(c => c.Usage.Length);
        foreach (var command in CommandTable.All)
            session.Say($"  {command.Usage.PadRight(width)}  {command.Summary}");
        session.Say("Instructions (mnemonics are case-insensitive; $n register, #n number, @label):");
        int opWidth = OpcodeTable.All.Max(o => o.ToString().Length);
        foreach (var opcode in OpcodeTable.All)
            session.Say($"  {opcode.ToString().PadRight(opWidth)}  {opcode.Semantics}");
        return Continue;
    }

    private ValueTask<ReplOutcome> ExplainOne(ReplSession session, string name)
    {
        string commandName = name.StartsWith('!') ? name : "!" + name;
        if (CommandTable.TryGet(commandName, out var command))
        {
            session.Say($"{command.Usage}: {command.Summary}");
            return Continue;
        }
        if (OpcodeTable.TryGet(name.ToUpperInvariant(), out var opcode))
        {
            session.Say($"{opcode} (opcode {opcode.Number}): {opcode.Semantics}");
            return Continue;
        }
        return UsageError(session, $"no command or instruction named {name}");
    }
}
