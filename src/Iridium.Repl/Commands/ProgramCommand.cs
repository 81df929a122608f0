using System.Globalization;
using Iridium.Assembler;
using Iridium.Repl.Engine;
using Iridium.Vm;

namespace Iridium.Repl.Commands;

/// <summary>
/// <c>!program</c>: the program as a disassembly (PROPOSED; the original dumped decimal bytes). A
/// loaded image is listed by the disassembler with the labels of its source (the session's
/// symbols); a program of typed lines only is headerless, so it is listed word by word with addresses.
/// </summary>
internal sealed class ProgramCommand : SimpleReplCommand
{
    public override string Name => "!program";
    public override string Summary => "show the program as assembly";

    protected override ReplOutcome Run(ReplSession session)
    {
        var machine = session.Machine;
        var program = machine.Program;
        if (program.IsEmpty)
        {
            session.Say("the program is empty");
            return ReplOutcome.Continue;
        }
        if (machine.CodeStart > 0 && ProgramImage.HasMagic(program))
        {
            try
            {
                session.Say(Disassembler.Disassemble(program, new DisassemblyOptions(ShowAddresses: true, Symbols: session.Symbols)).TrimEnd('\n'));
                return ReplOutcome.Continue;
            }
            catch (InvalidImageException)
            {
                // Not a valid image after all: fall back to the plain listing below.
            }
        }
        for (int address = machine.CodeStart; address < program.Length; address += 4)
        {
            // Lower-case mnemonics, as the disassembler writes them.
            string text = InstructionFormatter.Format(program[address..]);
            int space = text.IndexOf(' ');
            text = space < 0 ? text.ToLowerInvariant() : text[..space].ToLowerInvariant() + text[space..];
            session.Say($"{address.ToString(CultureInfo.InvariantCulture),6}: {text}");
        }
        return ReplOutcome.Continue;
    }
}
