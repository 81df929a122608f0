namespace Iridium.Cli.Configuration;

/// <summary>
/// Reads a node config file (<c>--config</c>): TOML when its name ends in <c>.toml</c>, JSON when
/// it ends in <c>.json</c>. Both formats have the same keys and the same checks; every problem is a
/// <see cref="CommandFailure"/> (config) that names the file and, for a syntax error, the line
/// and column.
/// </summary>
internal static class ConfigFile
{
    public static NodeSettings Load(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".toml" or ".json"))
            throw CommandFailure.Config($"config file {path}: the name must end in .toml or .json (that is how its format is chosen)");
        string text = ReadText(path);
        var entries = extension == ".toml" ? TomlConfigReader.Read(text, path) : JsonConfigReader.Read(text, path);
        return NodeSettingsKeys.Bind(entries, path);
    }

    private static string ReadText(string path)
    {
        if (Directory.Exists(path)) throw CommandFailure.Config($"config file {path} is a directory");
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CommandFailure.Config($"cannot read config file {path}: {e.Message}");
        }
    }
}
