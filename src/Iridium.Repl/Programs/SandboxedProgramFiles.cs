namespace Iridium.Repl.Programs;

/// <summary>
/// Remote sessions' files: paths are relative to one directory and must stay inside it, also after
/// following symbolic links, so a remote user cannot read the cookie, the history or anything else
/// on the host. The directory is <c>&lt;data-root&gt;/programs</c>, not the data root itself, because
/// the data root holds the cluster cookie and assembly errors quote the offending source line.
/// </summary>
public sealed class SandboxedProgramFiles : IProgramFiles
{
    private readonly string _root;

    public SandboxedProgramFiles(string root)
    {
        Directory.CreateDirectory(root);
        _root = Canonical(Path.GetFullPath(root)) ?? Path.GetFullPath(root);
    }

    public string Root => _root;

    public ProgramFileText Read(string path)
    {
        var resolved = Resolve(path, out string? error);
        if (resolved is null) return ProgramFileText.Failed(path, error!);
        var file = ProgramFileReader.Read(resolved, path);
        // "no such file" alone leaves a remote user guessing where the server looked.
        return file.Text is null ? ProgramFileText.Failed(path, $"{file.Error} (the server's program directory is {_root})") : file;
    }

    /// <summary>The real path of <paramref name="relative"/> inside the root, or null with the reason.</summary>
    public string? Resolve(string relative, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(relative) || relative.Contains('\0'))
        {
            error = "not a valid path";
            return null;
        }
        if (Path.IsPathRooted(relative))
        {
            error = "remote sessions may only name files relative to the server's program directory";
            return null;
        }
        string? real = Canonical(Path.GetFullPath(Path.Combine(_root, relative)));
        if (real is null || !IsInside(real))
        {
            error = "path leaves the server's program directory";
            return null;
        }
        return real;
    }

    private bool IsInside(string path) =>
        path.StartsWith(_root.EndsWith(Path.DirectorySeparatorChar) ? _root : _root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// The path with every symbolic link along it resolved (like realpath), component by component,
    /// so a link to a directory outside the root is caught too. Null on a link loop or a broken link.
    /// Components that do not exist are kept as they are (the read then fails with "no such file").
    /// </summary>
    private static string? Canonical(string fullPath)
    {
        string root = Path.GetPathRoot(fullPath) ?? "/";
        var pending = new Stack<string>(Enumerable.Reverse(fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)));
        string current = root;
        int linksFollowed = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }
            string next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not { } target)
            {
                current = next;
                continue;
            }
            if (++linksFollowed > 40) return null;
            // Splice the link's target in front of what is left, then go on from there.
            string absolute = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
            var pieces = absolute[(Path.GetPathRoot(absolute)?.Length ?? 0)..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            foreach (var piece in Enumerable.Reverse(pieces))
                pending.Push(piece);
            current = Path.GetPathRoot(absolute) ?? root;
        }
        return current;
    }
}
