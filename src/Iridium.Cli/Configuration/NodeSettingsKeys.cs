using System.Text;

namespace Iridium.Cli.Configuration;

/// <summary>
/// Binds the entries of a config file to <see cref="NodeSettingsSchema"/>'s settings by key, with
/// each setting's own checks, so a file and the command line accept exactly the same values. Keys
/// written in camelCase (<c>nodeAlias</c>), as config files did before 0.2, are read as their
/// snake_case names.
/// </summary>
internal static class NodeSettingsKeys
{
    /// <summary>Applies the entries of a config file; <see cref="CommandFailure"/> (config) names the file and key of the first bad one.</summary>
    public static NodeSettings Bind(IEnumerable<KeyValuePair<string, ConfigValue>> entries, string file)
    {
        var settings = NodeSettings.Empty;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (written, value) in entries)
        {
            string name = SnakeCase(written);
            var setting = NodeSettingsSchema.ByKey(name)
                ?? throw CommandFailure.Config($"{file}: unknown key '{written}'; the keys are {string.Join(", ", NodeSettingsSchema.Keys)}");
            if (!seen.Add(name)) throw CommandFailure.Config($"{file}: key '{name}' is set twice");
            settings = settings.Set(setting, setting.FromConfig(value)
                ?? throw CommandFailure.Config($"{file}: '{written}' must be {setting.Expected}, not {value.Describe()}"));
        }
        return settings;
    }

    /// <summary><c>serverBindPort</c> → <c>server_bind_port</c>; snake_case stays as it is.</summary>
    public static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                if (result.Length > 0) result.Append('_');
                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString();
    }
}
