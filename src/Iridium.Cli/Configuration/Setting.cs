using System.Globalization;
using System.Numerics;

namespace Iridium.Cli.Configuration;

/// <summary>Where a setting may be given: as a flag of `iridium node`, as a config-file key, or both.</summary>
[Flags]
internal enum SettingSource
{
    Flag = 1,
    ConfigFile = 2,
    Both = Flag | ConfigFile,
}

/// <summary>
/// One setting of `iridium node`, declared once in <see cref="NodeSettingsSchema"/>: its config key
/// (snake_case), its flag (the key in kebab-case, <c>--server-bind-port</c>, plus an optional
/// short form), its help line and the values it accepts. The flag parser, the config readers, the
/// merge of file and flags, the range checks and the help text all work from this description.
/// </summary>
internal abstract class Setting(string key, string help, string? shortFlag, SettingSource sources)
{
    /// <summary>The config-file key: <c>server_bind_port</c>.</summary>
    public string Key { get; } = key;

    /// <summary>The long flag: <c>--server-bind-port</c>.</summary>
    public string Flag { get; } = "--" + key.Replace('_', '-');

    /// <summary>The one-letter flag (<c>-P</c>), or null.</summary>
    public string? ShortFlag { get; } = shortFlag;

    public string Help { get; } = help;

    public SettingSource Sources { get; } = sources;

    public bool HasFlag => (Sources & SettingSource.Flag) != 0;

    public bool HasConfigKey => (Sources & SettingSource.ConfigFile) != 0;

    /// <summary>What a valid value is, for errors: "a whole number from 0 to 65535".</summary>
    public abstract string Expected { get; }

    /// <summary>The value's name in the help (<c>&lt;int&gt;</c>); null for a switch, which takes no value.</summary>
    public abstract string? ValueName { get; }

    /// <summary>The value of a config-file entry, or null when this setting does not take it (the message uses <see cref="Expected"/>).</summary>
    public abstract object? FromConfig(ConfigValue value);

    /// <summary>The value of a flag's text, or null with the whole message for the user (usage error).</summary>
    public virtual object? FromFlag(string text, out string? problem)
    {
        object? value = FromConfig(Parse(text));
        problem = value is null ? $"{Flag} must be {Expected}, not {Shown(text)}" : null;
        return value;
    }

    /// <summary>What a flag given again does with the value given before: the last one wins, lists add up.</summary>
    public virtual object Combine(object earlier, object later) => later;

    /// <summary>Flag text read as the config value it would be in a file: a whole number when it is one, else text.</summary>
    private static ConfigValue Parse(string text)
        => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) ? new ConfigValue.Integer(number) : new ConfigValue.Text(text);

    private static string Shown(string text) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? text : $"'{text}'";
}

/// <summary>A setting whose value is a value type: read as <c>T?</c>, null when not set.</summary>
internal abstract class ValueSetting<T>(string key, string help, string? shortFlag, SettingSource sources) : Setting(key, help, shortFlag, sources)
    where T : struct;

/// <summary>A setting whose value is a reference type: read as <c>T?</c>, null when not set.</summary>
internal abstract class ReferenceSetting<T>(string key, string help, string? shortFlag, SettingSource sources) : Setting(key, help, shortFlag, sources)
    where T : class;

/// <summary>A whole number within [min, max], stored as <typeparamref name="T"/> (int or long).</summary>
internal sealed class WholeSetting<T>(string key, long min, long max, string help, string? shortFlag = null, SettingSource sources = SettingSource.Both)
    : ValueSetting<T>(key, help, shortFlag, sources)
    where T : struct, IBinaryInteger<T>
{
    public long Min { get; } = min;

    public long Max { get; } = max;

    public override string Expected => Max == int.MaxValue || Max == long.MaxValue ? $"a whole number of at least {Min}" : $"a whole number from {Min} to {Max}";

    public override string? ValueName => typeof(T) == typeof(int) ? "<int>" : "<long>";

    public override object? FromConfig(ConfigValue value)
        => value is ConfigValue.Integer { Value: var n } && n >= Min && n <= Max ? T.CreateChecked(n) : null;
}

/// <summary>On or off: a flag without a value turns it on; a file says true or false.</summary>
internal sealed class SwitchSetting(string key, string help, string? shortFlag = null) : ValueSetting<bool>(key, help, shortFlag, SettingSource.Both)
{
    public override string Expected => "true or false";

    public override string? ValueName => null;

    public override object? FromConfig(ConfigValue value) => value is ConfigValue.Boolean flag ? flag.Value : null;

    public override object? FromFlag(string text, out string? problem)
    {
        problem = null;
        return true;
    }
}

/// <summary>Text, optionally held to a rule (<paramref name="isValid"/>, described by <paramref name="expected"/>).</summary>
internal sealed class TextSetting(string key, string help, string? shortFlag = null, SettingSource sources = SettingSource.Both,
    Func<string, bool>? isValid = null, string expected = "a string") : ReferenceSetting<string>(key, help, shortFlag, sources)
{
    public override string Expected => expected;

    public override string? ValueName => "<string>";

    public override object? FromConfig(ConfigValue value)
        => value is ConfigValue.Text { Value: var text } && (isValid is null || isValid(text)) ? text : null;

    public override object? FromFlag(string text, out string? problem)
    {
        bool valid = isValid is null || isValid(text);
        problem = valid ? null : $"{Flag} must be {Expected}, not '{text}'";
        return valid ? text : null;
    }
}

/// <summary>
/// The seeds to join through: a list in a file; a flag that may be repeated, each value possibly a
/// comma-separated list, every seed checked as it is given (<paramref name="seedProblem"/>).
/// </summary>
internal sealed class SeedListSetting(string key, string help, Func<string, string?> seedProblem)
    : ReferenceSetting<IReadOnlyList<string>>(key, help, null, SettingSource.Both)
{
    public override string Expected => "a list of HOST:PORT or dns:NAME:PORT strings";

    public override string? ValueName => "<string>";

    public override object? FromConfig(ConfigValue value)
        => value is ConfigValue.List list && list.Items.All(i => i is ConfigValue.Text)
            ? list.Items.Select(i => ((ConfigValue.Text)i).Value).ToArray()
            : null;

    public override object? FromFlag(string text, out string? problem)
    {
        var seeds = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        problem = seeds.Length == 0 ? $"{Flag} needs HOST:PORT or dns:NAME:PORT" : seeds.Select(seedProblem).FirstOrDefault(p => p is not null) is { } bad ? $"{Flag}: {bad}" : null;
        return problem is null ? seeds : null;
    }

    public override object Combine(object earlier, object later) => ((IReadOnlyList<string>)earlier).Concat((IReadOnlyList<string>)later).ToArray();
}
