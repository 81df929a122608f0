using Iridium.Vm;

namespace Iridium.Cli;

/// <summary>A program as read from the command line: its bytes and whether they are an image.</summary>
internal sealed record ProgramInput(string DisplayName, byte[] Bytes, bool IsImage)
{
    /// <summary>
    /// Reads FILE, or standard input for "-". The input is an image when its name ends in ".ir"
    /// or it starts with the magic; anything else is assembly source.
    /// </summary>
    public static ProgramInput? TryRead(string path, TextWriter error)
    {
        try
        {
            byte[] bytes;
            string name;
            if (path == "-")
            {
                using var stdin = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                stdin.CopyTo(buffer);
                bytes = buffer.ToArray();
                name = "<stdin>";
            }
            else
            {
                bytes = File.ReadAllBytes(path);
                name = path;
            }
            bool isImage = path.EndsWith(".ir", StringComparison.OrdinalIgnoreCase) || ProgramImage.HasMagic(bytes);
            return new ProgramInput(name, bytes, isImage);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error.WriteLine($"iridium: cannot read {path}: {e.Message}");
            return null;
        }
    }
}
