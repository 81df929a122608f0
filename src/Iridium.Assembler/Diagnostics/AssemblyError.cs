using System.Text;

namespace Iridium.Assembler;

/// <summary>
/// One located assembly error. <see cref="Line"/> and <see cref="Column"/> are 1-based; the column
/// counts UTF-16 characters (a tab is one column). <see cref="SourceLine"/> is the offending line,
/// sanitised for a terminal and, for very long lines, only a window around the error: the window's
/// first character is at column <see cref="SourceLineColumn"/>.
/// </summary>
public sealed record AssemblyError(
    AssemblyErrorKind Kind, string FileName, int Line, int Column, int Length, string Message, string SourceLine)
{
    /// <summary>The column of <see cref="SourceLine"/>'s first character (1 unless the line was cut).</summary>
    public int SourceLineColumn { get; init; } = 1;

    /// <summary>True when the original line continues to the right of <see cref="SourceLine"/>.</summary>
    public bool SourceLineCutRight { get; init; }

    /// <summary>
    /// <c>FILE:LINE:COL: error[Kind]: message</c>, then the source line, then a caret line under the
    /// offending token. Tabs in the source are copied into the caret line so the caret lines up.
    /// </summary>
    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append(FileName).Append(':').Append(Line).Append(':').Append(Column)
          .Append(": error[").Append(Kind).Append("]: ").Append(Message);
        if (SourceLine.Length == 0 && Column <= 1) return sb.ToString();

        string prefix = SourceLineColumn > 1 ? "..." : "";
        sb.Append('\n').Append(prefix).Append(SourceLine);
        if (SourceLineCutRight) sb.Append("...");
        sb.Append('\n').Append(' ', prefix.Length);
        int caretAt = Math.Max(0, Column - SourceLineColumn);
        for (int i = 0; i < caretAt; i++)
            sb.Append(i < SourceLine.Length && SourceLine[i] == '\t' ? '\t' : ' ');
        int visible = Math.Max(1, Math.Min(Length, SourceLine.Length - caretAt));
        sb.Append('^', visible);
        return sb.ToString();
    }

    public override string ToString() => Render();
}
