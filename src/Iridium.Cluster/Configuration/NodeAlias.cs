namespace Iridium.Cluster.Configuration;

/// <summary>
/// The node alias (runtime.md §1.2, as proposed): <c>--node-alias</c>, else the trimmed contents
/// of <c>.node_id</c> in the working directory, else a new UUID written there. An unwritable
/// working directory is no error: the new UUID is simply used.
/// </summary>
public static class NodeAlias
{
    public const string FileName = ".node_id";

    public static string Resolve(string? requested, string workingDirectory)
    {
        if (!string.IsNullOrWhiteSpace(requested)) return requested.Trim();
        string path = Path.Combine(workingDirectory, FileName);
        try
        {
            if (File.Exists(path))
            {
                string stored = File.ReadAllText(path).Trim();
                if (stored.Length > 0) return stored;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable: fall through to a fresh id.
        }

        string fresh = Guid.NewGuid().ToString();
        try
        {
            File.WriteAllText(path, fresh);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Read-only working directory: use the id for this run only.
        }
        return fresh;
    }
}
