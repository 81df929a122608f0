namespace Iridium.Cluster.Configuration;

/// <summary>
/// The data root directory (cookie, REPL history): <c>--data-root-dir</c>, else
/// <c>/var/lib/iridium</c>, else — when that cannot be created or written, as for an ordinary
/// user — the user's data directory (<c>$XDG_DATA_HOME/iridium</c> or <c>~/.local/share/iridium</c>).
/// </summary>
public static class DataRoot
{
    public const string SystemDefault = "/var/lib/iridium";

    /// <summary>Resolves and creates the data root. An explicit directory that cannot be created throws <see cref="IOException"/>.</summary>
    public static string Resolve(string? requested)
    {
        if (!string.IsNullOrWhiteSpace(requested))
        {
            string path = Path.GetFullPath(requested);
            Directory.CreateDirectory(path);
            return path;
        }
        if (IsUsable(SystemDefault)) return SystemDefault;
        string user = UserDataDirectory();
        Directory.CreateDirectory(user);
        return user;
    }

    private static string UserDataDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(baseDir, "iridium");
    }

    /// <summary>True when the directory exists or can be created, and a file can be written in it.</summary>
    private static bool IsUsable(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            string probe = Path.Combine(path, $".probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
