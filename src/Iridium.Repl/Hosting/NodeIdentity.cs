namespace Iridium.Repl.Hosting;

/// <summary>
/// The node alias (runtime.md §1.2 step 5, PROPOSED): <c>--node-alias</c>, else the trimmed contents
/// of <c>&lt;data-root&gt;/node_id</c>, else a new UUID saved there so the node keeps its name. (The
/// original used <c>.node_id</c> in the working directory; the data root is where a node's state lives.)
/// </summary>
public static class NodeIdentity
{
    public const string FileName = "node_id";

    public static string ResolveAlias(string? requested, string? dataRoot)
    {
        if (!string.IsNullOrWhiteSpace(requested)) return requested.Trim();
        if (dataRoot is null) return Guid.NewGuid().ToString();
        string path = Path.Combine(dataRoot, FileName);
        try
        {
            if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } saved) return saved;
            string alias = Guid.NewGuid().ToString();
            File.WriteAllText(path, alias + "\n");
            return alias;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Guid.NewGuid().ToString();
        }
    }
}
