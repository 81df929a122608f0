using Iridium.Files;
using Iridium.Vm;

namespace Iridium.Cli.Programs;

/// <summary>A program as read from the command line: its bytes and whether they are an image.</summary>
internal sealed record ProgramInput(string DisplayName, byte[] Bytes, bool IsImage)
{
    /// <summary>
    /// Largest program accepted, source or image: far above any program a person writes or the
    /// assembler emits in practice, and a bound on what `/dev/zero` or `yes |` can make us hold.
    /// </summary>
    public const int MaxBytes = 16 << 20;

    /// <summary>
    /// Reads FILE, or standard input for "-", through <see cref="BoundedInput"/>. The input is an
    /// image when its name ends in ".ir" or it starts with the magic; anything else is assembly
    /// source. <see cref="CommandFailure"/> (exit 66) when it cannot be read.
    /// </summary>
    public static ProgramInput Read(string path, Func<Stream>? standardInput = null)
    {
        try
        {
            if (path == "-")
            {
                using var stdin = (standardInput ?? Console.OpenStandardInput)();
                byte[] input = BoundedInput.ReadAllBytes(stdin, MaxBytes);
                return new ProgramInput("<stdin>", input, ProgramImage.HasMagic(input));
            }
            byte[] bytes = BoundedInput.ReadAllBytes(path, MaxBytes);
            bool isImage = path.EndsWith(".ir", StringComparison.OrdinalIgnoreCase) || ProgramImage.HasMagic(bytes);
            return new ProgramInput(path, bytes, isImage);
        }
        catch (InputFileException e)
        {
            throw new CommandFailure(ExitCodes.NoInput, $"cannot read {(path == "-" ? "standard input" : path)}: {e.Message}");
        }
    }
}
