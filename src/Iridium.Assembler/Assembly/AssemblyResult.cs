using System.Text;
using Iridium.Assembler.Diagnostics;

namespace Iridium.Assembler;

/// <summary>
/// The outcome of assembling one source. On success <see cref="Image"/> holds the program image and
/// <see cref="Errors"/> is empty; otherwise <see cref="Image"/> is null (no partial image).
/// </summary>
public sealed class AssemblyResult
{
    internal AssemblyResult(byte[]? image, IReadOnlyList<AssemblyError> errors, SymbolTable symbols, bool errorLimitReached)
    {
        Image = image;
        Errors = errors;
        Symbols = symbols;
        ErrorLimitReached = errorLimitReached;
    }

    public bool Success => Image is not null;

    public byte[]? Image { get; }

    /// <summary>Every error found, ordered by line and column; at most <see cref="ErrorLimit"/>.</summary>
    public IReadOnlyList<AssemblyError> Errors { get; }

    /// <summary>The labels defined by the source (also filled, as far as it got, when assembly failed).</summary>
    public SymbolTable Symbols { get; }

    /// <summary>True when assembly stopped collecting errors at <see cref="ErrorLimit"/>; more may exist.</summary>
    public bool ErrorLimitReached { get; }

    public static int ErrorLimit => ErrorSink.Limit;

    /// <summary>All errors rendered (<see cref="AssemblyError.Render"/>), one block each, plus a final note when the limit was hit.</summary>
    public string RenderErrors()
    {
        var sb = new StringBuilder();
        foreach (var error in Errors) sb.Append(error.Render()).Append('\n');
        if (ErrorLimitReached) sb.Append($"stopped after {ErrorLimit} errors; fix these and assemble again\n");
        return sb.ToString();
    }
}
