using System.Text;
using ConsoleAppFramework;
using Iridium.Assembler;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Programs;

namespace Iridium.Cli.Commands;

/// <summary>`iridium disasm FILE [--addresses]`: a listing that `iridium asm` turns back into the same image.</summary>
internal sealed class DisasmCommand
{
    /// <summary>Disassemble a program into assembly source that reassembles to the identical image.</summary>
    /// <param name="file">FILE: a program image (.ir, or starting with EPIE) or assembly source; '-' reads standard input.</param>
    /// <param name="addresses">Show each line's address and raw bytes as a comment.</param>
    [Command(CommandRouter.Disasm)]
    public int Disasm([Argument, HideDefaultValue] string? file = null, bool addresses = false)
        => CommandBody.Run(CommandRouter.Disasm, () =>
        {
            if (file is null) throw CommandFailure.Usage("disasm: missing FILE (the program to disassemble)");
            var input = ProgramInput.Read(file);
            // Source keeps its own labels in the listing; an image has none, so they are generated.
            if (ProgramCompiler.Compile(input, Console.Error) is not var (image, symbols)) return ExitCodes.InvalidProgram;
            string listing;
            try
            {
                listing = Disassembler.Disassemble(image, new DisassemblyOptions(ShowAddresses: addresses, Symbols: symbols));
            }
            catch (InvalidImageException e)
            {
                throw new CommandFailure(ExitCodes.InvalidProgram, $"{input.DisplayName}: {e.Message}");
            }
            OutputFile.Write("-", Encoding.UTF8.GetBytes(listing));
            return ExitCodes.Ok;
        });
}
