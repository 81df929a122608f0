using System.CommandLine;
using System.Text;
using Iridium.Assembler;

namespace Iridium.Cli.Commands;

/// <summary>`iridium disasm FILE [--addresses]`: print a listing that `iridium asm` turns back into the same image.</summary>
internal static class DisasmCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A program image (.ir or starting with EPIE) or assembly source; '-' reads standard input." };
        var addresses = new Option<bool>("--addresses") { Description = "Show each line's address and raw bytes as a comment." };
        var command = new Command("disasm", "Disassemble a program into assembly source that reassembles to the identical image.")
        {
            file, addresses,
        };
        command.SetAction(parse => Execute(parse.GetValue(file)!, parse.GetValue(addresses)));
        return command;
    }

    private static int Execute(string path, bool addresses)
    {
        var input = ProgramInput.TryRead(path, Console.Error);
        if (input is null) return ExitCodes.NoInput;
        byte[]? image = ProgramCompiler.ToImage(input, Console.Error);
        if (image is null) return ExitCodes.InvalidProgram;
        string listing;
        try
        {
            listing = Disassembler.Disassemble(image, new DisassemblyOptions(ShowAddresses: addresses));
        }
        catch (InvalidImageException e)
        {
            Console.Error.WriteLine($"iridium: {input.DisplayName}: {e.Message}");
            return ExitCodes.InvalidProgram;
        }
        return OutputFile.TryWrite("-", Encoding.UTF8.GetBytes(listing), Console.Error) ? ExitCodes.Ok : ExitCodes.CannotCreate;
    }
}
