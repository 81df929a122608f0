using System.Text;
using Iridium.Assembler;

namespace Iridium.Cli.Programs;

/// <summary>Turns a program input into an image: images pass through, source is assembled.</summary>
internal static class ProgramCompiler
{
    /// <summary>The image, or null after printing the assembly errors to <paramref name="error"/>.</summary>
    public static byte[]? ToImage(ProgramInput input, TextWriter error) => Compile(input, error)?.Image;

    /// <summary>
    /// The image and, for source, its labels (an image carries none: null); null after printing the
    /// assembly errors to <paramref name="error"/>.
    /// </summary>
    public static (byte[] Image, SymbolTable? Symbols)? Compile(ProgramInput input, TextWriter error)
    {
        if (input.IsImage) return (input.Bytes, null);
        var result = Assembler.Assembler.Assemble(DecodeSource(input.Bytes), input.DisplayName);
        if (result.Success) return (result.Image!, result.Symbols);
        error.Write(result.RenderErrors());
        return null;
    }

    /// <summary>Source is UTF-8; invalid bytes become U+FFFD, which the assembler then reports where they stand.</summary>
    public static string DecodeSource(byte[] bytes) => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetString(bytes);
}
