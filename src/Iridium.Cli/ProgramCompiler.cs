namespace Iridium.Cli;

/// <summary>Turns a program input into an image: images pass through, source is assembled.</summary>
internal static class ProgramCompiler
{
    /// <summary>The image, or null after printing why there is none (assembly errors).</summary>
    public static byte[]? ToImage(ProgramInput input, TextWriter error)
    {
        if (input.IsImage) return input.Bytes;
        error.WriteLine($"iridium: {input.DisplayName}: assembly source is not supported yet");
        return null;
    }
}
