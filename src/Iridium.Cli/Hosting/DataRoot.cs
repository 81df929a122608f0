namespace Iridium.Cli.Hosting;

/// <summary>
/// The data root directory (cookie, node id, REPL history, programs for remote sessions):
/// <c>--data-root-dir</c>, else <see cref="Defaults.SystemDataRoot"/>, else, when that cannot be
/// created or written (as for an ordinary user), the user's data directory
/// (<c>$XDG_DATA_HOME/iridium</c> or <c>~/.local/share/iridium</c>).
/// </summary>
internal static class DataRoot
{
    /// <summary>Resolves and creates the data root; <see cref="CommandFailure"/> (config) when an explicit directory cannot be created.</summary>
    public static string Resolve(string? requested)
    {
        if (!string.IsNullOrWhiteSpace(requested))
        {
            try
            {
                string path = Path.GetFullPath(requested);
                Directory.CreateDirectory(path);
                return path;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw CommandFailure.Config($"cannot create the data root {requested}: {e.Message}");
            }
        }
        if (IsUsable(Defaults.SystemDataRoot)) return Defaults.SystemDataRoot;
        string user = UserDataDirectory();
        try
        {
            Directory.CreateDirectory(user);
            return user;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CommandFailure.Config($"cannot create the data root {user} ({Defaults.SystemDataRoot} is not writable either): {e.Message}; pass --data-root-dir");
        }
    }

    private static string UserDataDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "iridium");
        // $HOME, else the password database; a scratch container or a chroot may have neither
        // (no /etc/passwd), and a data root relative to wherever the process started is no answer.
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (!Path.IsPathFullyQualified(home))
            throw CommandFailure.Config($"{Defaults.SystemDataRoot} is not writable and there is no home directory for the user data root; pass --data-root-dir");
        return Path.Combine(home, ".local", "share", "iridium");
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
