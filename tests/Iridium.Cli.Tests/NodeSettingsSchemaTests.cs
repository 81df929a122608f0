using System.Globalization;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Configuration;

namespace Iridium.Cli.Tests;

/// <summary>
/// Every setting of the schema is reachable as what it says it is (a flag, a config key in both
/// formats, or both), is checked the same way from either, and is in the help: adding an entry
/// is all it takes, and an entry that is not wired somewhere fails here.
/// </summary>
public class NodeSettingsSchemaTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Settings => new(NodeSettingsSchema.All.Select(s => s.Key));

    [Theory, MemberData(nameof(Settings))]
    public void EverySettingIsReachableAsItsFlagAndKey(string key)
    {
        var setting = NodeSettingsSchema.All.Single(s => s.Key == key);
        Assert.True(setting.HasFlag || setting.HasConfigKey);
        var (flagArgs, tomlValue, jsonValue) = ValidValue(setting);
        if (setting.HasFlag)
        {
            Assert.NotNull(NodeOptionParser.Parse([setting.Flag, .. flagArgs])!.Raw(setting));
            Assert.NotNull(NodeOptionParser.Parse([setting.Flag.ToUpperInvariant(), .. flagArgs])!.Raw(setting));
            if (setting.ShortFlag is { } shortFlag) Assert.NotNull(NodeOptionParser.Parse([shortFlag, .. flagArgs])!.Raw(setting));
            Assert.Contains(setting.Flag, NodeOptionParser.Help("summary"));
        }
        else
        {
            Assert.Equal(ExitCodes.Usage, Assert.Throws<CommandFailure>(() => NodeOptionParser.Parse([setting.Flag, .. flagArgs])).ExitCode);
            Assert.Contains(setting.Key, NodeOptionParser.Help("summary"));
        }
        if (setting.HasConfigKey)
        {
            Assert.NotNull(ConfigFile.Load(_dir.File($"{key}.toml", $"{key} = {tomlValue}\n")).Raw(setting));
            Assert.NotNull(ConfigFile.Load(_dir.File($"{key}.json", $$"""{ "{{key}}": {{jsonValue}} }""")).Raw(setting));
        }
        else
        {
            Assert.Contains("unknown key", Assert.Throws<CommandFailure>(() => ConfigFile.Load(_dir.File($"{key}.toml", $"{key} = {tomlValue}\n"))).Message);
        }
    }

    [Theory, MemberData(nameof(Settings))]
    public void EverySettingIsCheckedTheSameWayFromAFlagAndAFile(string key)
    {
        var setting = NodeSettingsSchema.All.Single(s => s.Key == key);
        foreach (var (text, toml) in InvalidValues(setting))
        {
            if (setting.HasFlag)
            {
                var e = Assert.Throws<CommandFailure>(() => NodeOptionParser.Parse([setting.Flag, text]));
                Assert.Equal(ExitCodes.Usage, e.ExitCode);
                Assert.StartsWith(setting.Flag, e.Message);
            }
            if (setting.HasConfigKey)
            {
                var e = Assert.Throws<CommandFailure>(() => ConfigFile.Load(_dir.File("bad.toml", $"{key} = {toml}\n")));
                Assert.Equal(ExitCodes.Config, e.ExitCode);
                Assert.Contains($"'{key}' must be {setting.Expected}", e.Message);
            }
        }
    }

    [Fact]
    public void FlagsAndKeysAreUniqueAndFollowEachOther()
    {
        var all = NodeSettingsSchema.All;
        Assert.Equal(all.Count, all.Select(s => s.Key).Distinct().Count());
        var shortFlags = all.Where(s => s.ShortFlag is not null).Select(s => s.ShortFlag).ToList();
        Assert.Equal(shortFlags.Count, shortFlags.Distinct().Count());
        Assert.All(all, s => Assert.Equal("--" + s.Key.Replace('_', '-'), s.Flag));
    }

    [Fact]
    public void FlagsOverrideTheFileAndRepeatedJoinsAddUp()
    {
        var file = ConfigFile.Load(_dir.File("node.toml", "server_bind_port = 3000\nport_search = 4\njoin = [\"127.0.0.1:1\"]\n"));
        var flags = NodeOptionParser.Parse(["-P", "4000", "--join", "127.0.0.1:2,127.0.0.1:3", "--join", "127.0.0.1:4", "-v"])!;
        var merged = file.With(flags);
        Assert.Equal(4000, merged.Get(NodeSettingsSchema.ServerBindPort));
        Assert.Equal(4, merged.Get(NodeSettingsSchema.PortSearch));
        Assert.Equal(["127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4"], merged.Get(NodeSettingsSchema.Join));
        Assert.True(merged.Get(NodeSettingsSchema.Verbose));
        Assert.Null(merged.Get(NodeSettingsSchema.Threads));
    }

    [Fact]
    public void HelpIsAskedForAnywhereAndStrayArgumentsAreRefused()
    {
        Assert.Null(NodeOptionParser.Parse(["-P", "1", "--help"]));
        Assert.StartsWith("Usage: iridium node [options...]\n", NodeOptionParser.Help("summary"));
        Assert.Equal("node takes no arguments, only options: 'extra'", Assert.Throws<CommandFailure>(() => NodeOptionParser.Parse(["extra"])).Message);
    }

    /// <summary>A value each kind of setting accepts: flag arguments, then the TOML and the JSON form.</summary>
    private static (string[] Flag, string Toml, string Json) ValidValue(Setting setting) => setting switch
    {
        SwitchSetting => ([], "true", "true"),
        SeedListSetting => (["127.0.0.1:1"], "[\"127.0.0.1:1\"]", "[\"127.0.0.1:1\"]"),
        TextSetting => (["h1"], "\"h1\"", "\"h1\""),
        WholeSetting<int> whole => Number(whole.Min),
        WholeSetting<long> whole => Number(whole.Min),
        _ => throw new InvalidOperationException($"a new kind of setting ({setting.GetType().Name}): give it a valid value here"),
    };

    private static (string[], string, string) Number(long value)
    {
        string text = value.ToString(CultureInfo.InvariantCulture);
        return ([text], text, text);
    }

    /// <summary>Values each kind refuses, as flag text and as TOML: out of range on both sides for numbers.</summary>
    private static IEnumerable<(string Flag, string Toml)> InvalidValues(Setting setting)
    {
        switch (setting)
        {
            case WholeSetting<int> whole:
                return OutOfRange(whole.Min, whole.Max);
            case WholeSetting<long> whole:
                return OutOfRange(whole.Min, whole.Max);
            case TextSetting text when text.Expected != "a string":
                return [("", "\"\"")];
            case SeedListSetting:
                return [("nowhere", "\"127.0.0.1:1\"")];
            default:
                return [];
        }
    }

    private static IEnumerable<(string, string)> OutOfRange(long min, long max)
    {
        var values = new List<(string, string)> { ("lots", "\"lots\"") };
        if (min > long.MinValue) values.Add(Text(min - 1));
        if (max < long.MaxValue) values.Add(Text(max + 1));
        return values;

        static (string, string) Text(long value) => (value.ToString(CultureInfo.InvariantCulture), value.ToString(CultureInfo.InvariantCulture));
    }
}
