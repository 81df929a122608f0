using Iridium.Files;

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

    /// <summary>Largest config file read: settings fit in a few hundred bytes.</summary>
    public const int MaxBytes = 1 << 20;

    private static string ReadText(string path)
    {
        try
        {
            return BoundedInput.ReadAllText(path, MaxBytes);
        }
        catch (InputFileException e)
        {
            throw CommandFailure.Config($"cannot read config file {path}: {e.Message}");
        }
    }
}
