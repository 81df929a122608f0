using System.Text;

namespace Iridium.Repl.Console;

/// <summary>
/// The lines recalled with up/down in the console, kept between sessions in
/// <c>&lt;data-root&gt;/history</c> (one line per entry, newest last, capped at <see cref="MaxEntries"/>).
/// The file is created readable by its owner only: typed lines can contain anything.
/// </summary>
public sealed class LineHistory
{
    public const int MaxEntries = 1000;

    private readonly List<string> _entries = [];
    private readonly string? _path;

    /// <param name="path">The history file, or null to keep history in memory only.</param>
    public LineHistory(string? path = null)
    {
        _path = path;
        if (path is null) return;
        try
        {
            if (File.Exists(path)) _entries.AddRange(File.ReadLines(path).Where(l => l.Length > 0).TakeLast(MaxEntries));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable history is not worth failing the REPL for.
        }
    }

    public IReadOnlyList<string> Entries => _entries;

    /// <summary>Adds a line (not blank, not a repeat of the previous one) and appends it to the file.</summary>
    public void Add(string line)
    {
        if (line.Trim().Length == 0 || (_entries.Count > 0 && _entries[^1] == line)) return;
        _entries.Add(line);
        if (_entries.Count > MaxEntries) _entries.RemoveRange(0, _entries.Count - MaxEntries);
        if (_path is null) return;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var file = new FileStream(_path, options);
            file.Write(Encoding.UTF8.GetBytes(line + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Keep going without persistence (read-only data root, full disk).
        }
    }

    /// <summary>Rewrites the file with only the newest entries, so it does not grow without end.</summary>
    public void Compact()
    {
        if (_path is null) return;
        try
        {
            if (File.Exists(_path) && File.ReadLines(_path).Count() > 2 * MaxEntries) File.WriteAllLines(_path, _entries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
