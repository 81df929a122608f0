using System.Text;

namespace Iridium.Repl.Console;

/// <summary>How a <see cref="LineEditor.ReadLine"/> ended.</summary>
public enum LineEditStatus
{
    /// <summary>Enter: the line is in <see cref="LineEditResult.Text"/>.</summary>
    Line,
    /// <summary>Ctrl-C: the line was abandoned.</summary>
    Cancelled,
    /// <summary>Ctrl-D on an empty line, or the input ended.</summary>
    EndOfInput,
}

public readonly record struct LineEditResult(LineEditStatus Status, string Text);

/// <summary>
/// A small line editor for the console REPL (we measured RadLine: +1.7 MB and a stale dependency,
/// so this is ours): left/right, Home/End (and Ctrl-A/Ctrl-E), Backspace/Delete, Ctrl-U/Ctrl-K/Ctrl-W,
/// up/down through history, Ctrl-C cancels the line, Ctrl-D on an empty line ends input, Ctrl-L
/// redraws. A line wider than the terminal scrolls horizontally instead of wrapping, so redrawing
/// is always "carriage return, prompt, visible slice, clear to end of line".
/// <see cref="WriteAbove"/> lets other threads print (a spawned VM's report) without garbling the
/// line being edited: it clears the line, prints, and redraws the prompt and the text.
/// </summary>
public sealed class LineEditor(IKeySource keys, TextWriter screen)
{
    private const string ClearToEnd = "\u001b[K";

    private readonly object _gate = new();
    private readonly StringBuilder _text = new();
    private int _cursor;
    private int _scroll;
    private string _prompt = "";
    private bool _editing;

    /// <summary>Reads one line after showing <paramref name="prompt"/>; recalls from <paramref name="history"/> when given.</summary>
    public LineEditResult ReadLine(string prompt, LineHistory? history = null)
    {
        var entries = history?.Entries ?? [];
        int recalled = entries.Count;        // == Count: the line being typed, not a history entry
        string draft = "";
        lock (_gate)
        {
            _prompt = prompt;
            _text.Clear();
            _cursor = _scroll = 0;
            _editing = true;
            Render();
        }
        try
        {
            while (true)
            {
                if (keys.ReadKey() is not { } key) return Finish(LineEditStatus.EndOfInput, "");
                lock (_gate)
                {
                    switch (Classify(key))
                    {
                        case EditKey.Enter:
                            string line = _text.ToString();
                            return Finish(LineEditStatus.Line, line);
                        case EditKey.Cancel:
                            _cursor = _text.Length;
                            Render();
                            screen.Write("^C");
                            return Finish(LineEditStatus.Cancelled, "");
                        case EditKey.EndOfInput when _text.Length == 0:
                            return Finish(LineEditStatus.EndOfInput, "");
                        case EditKey.EndOfInput:
                        case EditKey.Delete:
                            if (_cursor < _text.Length) _text.Remove(_cursor, 1);
                            break;
                        case EditKey.Backspace:
                            if (_cursor > 0) _text.Remove(--_cursor, 1);
                            break;
                        case EditKey.Left: _cursor = Math.Max(0, _cursor - 1); break;
                        case EditKey.Right: _cursor = Math.Min(_text.Length, _cursor + 1); break;
                        case EditKey.Home: _cursor = 0; break;
                        case EditKey.End: _cursor = _text.Length; break;
                        case EditKey.KillToStart:
                            _text.Remove(0, _cursor);
                            _cursor = 0;
                            break;
                        case EditKey.KillToEnd: _text.Length = _cursor; break;
                        case EditKey.KillWord:
                            int start = _cursor;
                            while (start > 0 && _text[start - 1] == ' ') start--;
                            while (start > 0 && _text[start - 1] != ' ') start--;
                            _text.Remove(start, _cursor - start);
                            _cursor = start;
                            break;
                        case EditKey.Up when recalled > 0:
                            if (recalled == entries.Count) draft = _text.ToString();
                            Replace(entries[--recalled]);
                            break;
                        case EditKey.Down when recalled < entries.Count:
                            recalled++;
                            Replace(recalled == entries.Count ? draft : entries[recalled]);
                            break;
                        case EditKey.Redraw:
                            screen.Write("\u001b[H\u001b[2J");
                            break;
                        case EditKey.Insert:
                            _text.Insert(_cursor++, key.KeyChar == '\t' ? ' ' : key.KeyChar);
                            break;
                    }
                    Render();
                }
            }
        }
        finally
        {
            lock (_gate) _editing = false;
        }
    }

    /// <summary>Prints lines from any thread; when a line is being edited, it is redrawn below them.</summary>
    public void WriteAbove(IEnumerable<string> lines)
    {
        lock (_gate)
        {
            if (_editing) screen.Write("\r" + ClearToEnd);
            foreach (var line in lines) screen.Write(line + "\n");
            if (_editing) Render();
            screen.Flush();
        }
    }

    /// <summary>Runs <paramref name="write"/> under the editor's lock, so it cannot interleave with <see cref="WriteAbove"/>.</summary>
    public void Locked(Action write)
    {
        lock (_gate) write();
    }

    private LineEditResult Finish(LineEditStatus status, string text)
    {
        if (status == LineEditStatus.Line)
        {
            _cursor = _text.Length;
            Render();
        }
        screen.Write("\n");
        screen.Flush();
        return new LineEditResult(status, text);
    }

    private void Replace(string text)
    {
        _text.Clear().Append(text);
        _cursor = _text.Length;
    }

    /// <summary>Redraws the prompt and the slice of the text around the cursor that fits the terminal.</summary>
    private void Render()
    {
        int room = Math.Max(8, keys.Width - _prompt.Length - 1);
        if (_cursor < _scroll) _scroll = _cursor;
        if (_cursor - _scroll > room) _scroll = _cursor - room;
        if (_text.Length - _scroll < room) _scroll = Math.Max(0, _text.Length - room);
        if (_cursor < _scroll) _scroll = _cursor;

        var frame = new StringBuilder("\r").Append(_prompt)
            .Append(_text.ToString(_scroll, Math.Min(room, _text.Length - _scroll)))
            .Append(ClearToEnd).Append('\r');
        int column = _prompt.Length + _cursor - _scroll;
        if (column > 0) frame.Append("\u001b[").Append(column).Append('C');
        screen.Write(frame.ToString());
        screen.Flush();
    }

    private enum EditKey { None, Insert, Enter, Cancel, EndOfInput, Backspace, Delete, Left, Right, Home, End, Up, Down, KillToStart, KillToEnd, KillWord, Redraw }

    private static EditKey Classify(ConsoleKeyInfo key)
    {
        switch (key.Key)
        {
            case ConsoleKey.Enter: return EditKey.Enter;
            case ConsoleKey.Backspace: return EditKey.Backspace;
            case ConsoleKey.Delete: return EditKey.Delete;
            case ConsoleKey.LeftArrow: return EditKey.Left;
            case ConsoleKey.RightArrow: return EditKey.Right;
            case ConsoleKey.Home: return EditKey.Home;
            case ConsoleKey.End: return EditKey.End;
            case ConsoleKey.UpArrow: return EditKey.Up;
            case ConsoleKey.DownArrow: return EditKey.Down;
        }
        return key.KeyChar switch
        {
            '\r' or '\n' => EditKey.Enter,
            '\u0003' => EditKey.Cancel,
            '\u0004' => EditKey.EndOfInput,
            '\b' or '\u007f' => EditKey.Backspace,
            '\u0001' => EditKey.Home,
            '\u0005' => EditKey.End,
            '\u0002' => EditKey.Left,
            '\u0006' => EditKey.Right,
            '\u0010' => EditKey.Up,
            '\u000e' => EditKey.Down,
            '\u0015' => EditKey.KillToStart,
            '\u000b' => EditKey.KillToEnd,
            '\u0017' => EditKey.KillWord,
            '\u000c' => EditKey.Redraw,
            '\t' => EditKey.Insert,
            _ when key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key == ConsoleKey.C => EditKey.Cancel,
            _ when key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key == ConsoleKey.D => EditKey.EndOfInput,
            var c when !char.IsControl(c) && c != '\0' => EditKey.Insert,
            _ => EditKey.None,
        };
    }
}
