using System.Text;

namespace Iridium.Assembler.Diagnostics;

/// <summary>
/// Collects errors for one assembly. It stops accepting errors after <see cref="Limit"/> so that
/// garbage input cannot produce unbounded output; callers check <see cref="IsFull"/> to stop early.
/// </summary>
internal sealed class ErrorSink(string fileName)
{
    /// <summary>Errors kept per assembly; the rest are counted as "limit reached".</summary>
    public const int Limit = 1000;

    /// <summary>Longest source excerpt kept with an error; longer lines are cut around the error.</summary>
    public const int MaxEchoedLine = 160;

    private readonly List<AssemblyError> _errors = [];

    public string FileName { get; } = fileName;
    public IReadOnlyList<AssemblyError> Errors => _errors;
    public int Count => _errors.Count;
    public bool IsFull => _errors.Count >= Limit;

    public void Add(AssemblyErrorKind kind, int line, int column, int length, string message, ReadOnlySpan<char> lineText)
    {
        if (IsFull) return;
        _errors.Add(Create(kind, FileName, line, column, length, message, lineText));
    }

    /// <summary>Builds an error, keeping a sanitised window of at most <see cref="MaxEchoedLine"/> characters.</summary>
    public static AssemblyError Create(
        AssemblyErrorKind kind, string fileName, int line, int column, int length, string message, ReadOnlySpan<char> lineText)
    {
        int windowStart = 0;
        if (lineText.Length > MaxEchoedLine)
        {
            // Centre the window on the error, but never start past the point where it would run short.
            windowStart = Math.Clamp(column - 1 - MaxEchoedLine / 2, 0, lineText.Length - MaxEchoedLine);
        }
        int windowLength = Math.Min(MaxEchoedLine, lineText.Length - windowStart);
        return new AssemblyError(kind, fileName, line, column, Math.Max(1, length), message,
            Sanitize(lineText.Slice(windowStart, windowLength)))
        {
            SourceLineColumn = windowStart + 1,
            SourceLineCutRight = windowStart + windowLength < lineText.Length,
        };
    }

    /// <summary>Control characters (binary garbage) would wreck a terminal: show them as '?', one column each.</summary>
    public static string Sanitize(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text) sb.Append(c == '\t' || !char.IsControl(c) ? c : '?');
        return sb.ToString();
    }

    /// <summary>Names a character for a message: printable ones quoted, others as U+XXXX.</summary>
    public static string Describe(char c)
        => char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
