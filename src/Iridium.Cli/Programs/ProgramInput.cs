using Iridium.Vm;

namespace Iridium.Cli.Programs;

/// <summary>A program as read from the command line: its bytes and whether they are an image.</summary>
internal sealed record ProgramInput(string DisplayName, byte[] Bytes, bool IsImage)
{
    /// <summary>
    /// Reads FILE, or standard input for "-". The input is an image when its name ends in ".ir"
    /// or it starts with the magic; anything else is assembly source. <see cref="CommandFailure"/>
    /// (exit 66) when it cannot be read.
    /// </summary>
    public static ProgramInput Read(string path)
    {
        if (path == "-")
        {
            byte[] input = ReadStandardInput();
            return new ProgramInput("<stdin>", input, ProgramImage.HasMagic(input));
        }
        if (Directory.Exists(path)) throw new CommandFailure(ExitCodes.NoInput, $"cannot read {path}: is a directory");
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            bool isImage = path.EndsWith(".ir", StringComparison.OrdinalIgnoreCase) || ProgramImage.HasMagic(bytes);
            return new ProgramInput(path, bytes, isImage);
        }
        catch (FileNotFoundException)
        {
            throw new CommandFailure(ExitCodes.NoInput, $"cannot read {path}: no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CommandFailure(ExitCodes.NoInput, $"cannot read {path}: no such directory");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new CommandFailure(ExitCodes.NoInput, $"cannot read {path}: {e.Message}");
        }
    }

    private static byte[] ReadStandardInput()
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }
}
