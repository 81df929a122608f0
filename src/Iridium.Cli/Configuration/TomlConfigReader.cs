using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;
using Tomlyn.Serialization;

namespace Iridium.Cli.Configuration;

/// <summary>
/// A TOML config file: top-level keys are settings (<c>join = ["10.0.0.1:2254"]</c>). Parsed with
/// Tomlyn into its untyped model (no reflection; the context below is generated at compile time)
/// and mapped by <see cref="NodeSettingsKeys"/>, like JSON. The syntax tree is checked first:
/// Tomlyn's serializer lets a key that is set twice overwrite the first, its parser does not.
/// </summary>
internal static class TomlConfigReader
{
    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> Read(string text, string path)
    {
        try
        {
            return Parse(text, path);
        }
        catch (TomlException e)
        {
            // Tomlyn throws (rather than reporting a diagnostic) for some inputs, a nesting deeper
            // than its limit among them: still a config error, located when it says where.
            string where = e.Line is { } line ? $"{path}:{line}:{e.Column ?? 1}" : path;
            throw CommandFailure.Config($"{where}: {Reason(e)}");
        }
    }

    private static IReadOnlyList<KeyValuePair<string, ConfigValue>> Parse(string text, string path)
    {
        var syntax = SyntaxParser.Parse(text, path);
        if (syntax.Diagnostics.HasErrors)
        {
            var first = syntax.Diagnostics.First(d => d.Kind == Tomlyn.Syntax.DiagnosticMessageKind.Error);
            // Positions in the syntax tree count from 0.
            throw CommandFailure.Config($"{path}:{first.Span.Start.Line + 1}:{first.Span.Start.Column + 1}: {first.Message}");
        }
        var table = TomlSerializer.Deserialize(text, ConfigTomlContext.Default.TomlTable) ?? new TomlTable();
        return table.Select(entry => KeyValuePair.Create(entry.Key, Describe(entry.Value))).ToList();
    }

    private static ConfigValue Describe(object? value) => value switch
    {
        string text => new ConfigValue.Text(text),
        long whole => new ConfigValue.Integer(whole),
        bool flag => new ConfigValue.Boolean(flag),
        TomlArray array => new ConfigValue.List(array.Select(Describe).ToList()),
        TomlTable => new ConfigValue.Other("a table"),
        TomlTableArray => new ConfigValue.Other("an array of tables"),
        double number => new ConfigValue.Other($"the number {number}"),
        TomlDateTime => new ConfigValue.Other("a date"),
        _ => new ConfigValue.Other(value?.GetType().Name ?? "nothing"),
    };

    /// <summary>
    /// The parser's first message without the location it prefixes (ours comes first instead),
    /// and only its first sentence: the rest can be advice to the programmer ("Change
    /// TomlSerializerOptions.MaxDepth ...") that means nothing to whoever wrote the file.
    /// </summary>
    private static string Reason(TomlException e)
    {
        string message = (e.Diagnostics.Count > 0 ? e.Diagnostics[0].Message : e.Message).Trim();
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message.TrimEnd('.');
    }
}

/// <summary>Tomlyn's metadata for its untyped model, generated at compile time (Native AOT has no reflection).</summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class ConfigTomlContext : TomlSerializerContext
{
}
