using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Programs;

namespace Iridium.Cli.Commands;

/// <summary>`iridium asm FILE [-o OUT]`: assemble source into a program image.</summary>
internal sealed class AsmCommand
{
    /// <summary>Assemble a source file into a program image; every error is reported and nothing is written (exit 65).</summary>
    /// <param name="file">FILE: assembly source; '-' reads standard input.</param>
    /// <param name="output">-o, Where to write the image; '-' is standard output. Default: FILE with the extension .ir (standard output for '-').</param>
    [Command(CommandRouter.Asm)]
    public int Asm([Argument, HideDefaultValue] string? file = null, [HideDefaultValue] string? output = null)
        => CommandBody.Run(CommandRouter.Asm, () =>
        {
            if (file is null) throw CommandFailure.Usage("asm: missing FILE (the source to assemble)");
            var input = ProgramInput.Read(file);
            // Source is assembled even when it starts with the magic: `asm` is asked to assemble.
            byte[]? image = ProgramCompiler.ToImage(input with { IsImage = false }, Console.Error);
            if (image is null) return ExitCodes.InvalidProgram;
            string path = output ?? (file == "-" ? "-" : Path.ChangeExtension(file, ".ir"));
            OutputFile.Write(path, image);
            // The file written without -o is chosen here: say which, so it is never a surprise.
            if (output is null && path != "-") Console.Error.WriteLine($"iridium: wrote {path}");
            return ExitCodes.Ok;
        });
}
