using System.CommandLine;

namespace Iridium.Cli.Commands;

/// <summary>`iridium asm FILE [-o OUT]`: assemble source into a program image.</summary>
internal static class AsmCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Assembly source; '-' reads standard input." };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Where to write the image; '-' is standard output. Default: FILE with the extension .ir (standard output for '-').",
            HelpName = "OUT",
        };
        var command = new Command("asm", "Assemble a source file into a program image. Exit 65 on assembly errors (all are reported; nothing is written).")
        {
            file, output,
        };
        command.SetAction(parse => Execute(parse.GetValue(file)!, parse.GetValue(output)));
        return command;
    }

    private static int Execute(string path, string? output)
    {
        var input = ProgramInput.TryRead(path, Console.Error);
        if (input is null) return ExitCodes.NoInput;
        // Source is assembled even when it starts with the magic: `asm` is asked to assemble.
        byte[]? image = ProgramCompiler.ToImage(input with { IsImage = false }, Console.Error);
        if (image is null) return ExitCodes.InvalidProgram;
        string target = output ?? (path == "-" ? "-" : Path.ChangeExtension(path, ".ir"));
        return OutputFile.TryWrite(target, image, Console.Error) ? ExitCodes.Ok : ExitCodes.CannotCreate;
    }
}
