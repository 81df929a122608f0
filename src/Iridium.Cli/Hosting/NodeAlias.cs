using Iridium.Crypto;
using Iridium.Files;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The node alias (docs/reference/runtime.md): <c>--node-alias</c>, else the trimmed contents of
/// <c>.node_id</c> in the data root, else a new UUID written there. The original kept
/// <c>.node_id</c> in the working directory, which gave a node a new name whenever it was started
/// from another directory and littered wherever it ran; the data root is where a node's
/// identity already lives (its cookie). Without a data root, or when the file cannot be written,
/// the new UUID is used for this run only.
/// </summary>
internal static class NodeAlias
{
    public const string FileName = ".node_id";

    /// <summary>A stored id is a UUID; anything much longer is not one of ours.</summary>
    private const int MaxFileBytes = 4096;

    public static string Resolve(string? requested, string? dataRoot)
    {
        if (!string.IsNullOrWhiteSpace(requested)) return requested.Trim();
        string fresh = SecureRandom.NewGuid().ToString();
        if (dataRoot is null) return fresh;

        string path = Path.Combine(dataRoot, FileName);
        try
        {
            if (File.Exists(path))
            {
                string stored = BoundedInput.ReadAllText(path, MaxFileBytes).Trim();
                if (stored.Length > 0) return stored;
            }
            File.WriteAllText(path, fresh);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unreadable or read-only: the fresh id serves this run.
        }
        return fresh;
    }
}
