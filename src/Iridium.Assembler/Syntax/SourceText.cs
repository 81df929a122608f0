namespace Iridium.Assembler.Syntax;

/// <summary>
/// The source split into lines (LF or CRLF ends a line). Lines are kept as
/// offsets into the one source string, so a huge file is not copied line by line.
/// </summary>
internal sealed class SourceText
{
    private readonly string _text;
    private readonly List<int> _lineStarts = [];
    private readonly int _lastLineEnd;

    public SourceText(string text, string fileName)
    {
        _text = text;
        FileName = fileName;
        int start = 0;
        while (true)
        {
            _lineStarts.Add(start);
            int newline = text.IndexOf('\n', start);
            if (newline < 0) break;
            start = newline + 1;
        }
        // A final line break does not start another (empty) line.
        if (_lineStarts.Count > 1 && _lineStarts[^1] == text.Length) _lineStarts.RemoveAt(_lineStarts.Count - 1);
        _lastLineEnd = text.EndsWith('\n') ? text.Length - 1 : text.Length;
    }

    public string FileName { get; }

    public int LineCount => _lineStarts.Count;

    /// <summary>Line <paramref name="number"/> (1-based) without its line break (LF or CRLF).</summary>
    public ReadOnlySpan<char> Line(int number)
    {
        int start = _lineStarts[number - 1];
        int end = number < _lineStarts.Count ? _lineStarts[number] - 1 : _lastLineEnd;
        if (end > start && _text[end - 1] == '\r') end--;
        return _text.AsSpan(start, end - start);
    }
}
