using Iridium.Assembler.Diagnostics;
using Iridium.Assembler.Syntax;

namespace Iridium.Assembler.Assembly;

/// <summary>
/// One error per label that cannot be used (undefined, or beyond a 16-bit field), however many
/// lines use it: a misspelt declaration is one mistake, not one per use. The error stands at the
/// first use and names the other lines; pass 2 reports them all at its end.
/// </summary>
internal sealed class LabelUseErrors
{
    /// <summary>Other lines named in one message; past this the message gives a count.</summary>
    private const int LinesNamed = 5;

    private sealed class FirstUse(AssemblyErrorKind kind, int line, Token at, string message, string lineText)
    {
        public AssemblyErrorKind Kind { get; } = kind;
        public int Line { get; } = line;
        public Token At { get; } = at;
        public string Message { get; } = message;
        public string LineText { get; } = lineText;
        /// <summary>The first <see cref="LinesNamed"/> other lines; <see cref="OtherCount"/> counts them all.</summary>
        public List<int> OtherLines { get; } = [];
        public int OtherCount { get; set; }
        public int LastLine { get; set; } = line;
    }

    private readonly Dictionary<string, FirstUse> _byLabel = new(StringComparer.Ordinal);
    private readonly List<FirstUse> _inOrder = [];

    public void Add(AssemblyErrorKind kind, string label, int line, Token at, string message, ReadOnlySpan<char> lineText)
    {
        if (_byLabel.TryGetValue(label, out var first))
        {
            if (first.LastLine == line) return;
            first.LastLine = line;
            first.OtherCount++;
            if (first.OtherLines.Count < LinesNamed) first.OtherLines.Add(line);
            return;
        }
        // Bounded like the sink it feeds: past its limit, new labels are dropped (the sink would drop them).
        if (_inOrder.Count >= ErrorSink.Limit) return;
        var use = new FirstUse(kind, line, at, message, lineText.ToString());
        _byLabel.Add(label, use);
        _inOrder.Add(use);
    }

    public void ReportTo(ErrorSink errors)
    {
        foreach (var use in _inOrder)
        {
            errors.Add(use.Kind, use.Line, use.At.Column, use.At.Length, use.Message + AlsoUsedOn(use), use.LineText);
        }
    }

    private static string AlsoUsedOn(FirstUse use) => use.OtherCount switch
    {
        0 => "",
        1 => $" (also used on line {use.OtherLines[0]})",
        <= LinesNamed => $" (also used on lines {string.Join(", ", use.OtherLines)})",
        _ => $" (also used on lines {string.Join(", ", use.OtherLines)} and {use.OtherCount - LinesNamed} more)",
    };
}
