using System.Text.Json;

namespace Iridium.Cli.Configuration;

/// <summary>
/// A JSON config file: one object whose members are settings. Comments and trailing commas are
/// allowed (people edit these files by hand). Read as a document, not bound to a type: the keys
/// are checked by <see cref="NodeSettingsKeys"/>, which names the valid ones.
/// </summary>
internal static class JsonConfigReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static IReadOnlyList<KeyValuePair<string, ConfigValue>> Read(string text, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Options);
        }
        catch (JsonException e)
        {
            // LineNumber and BytePositionInLine count from 0.
            string where = e.LineNumber is { } line ? $"{path}:{line + 1}:{(e.BytePositionInLine ?? 0) + 1}" : path;
            throw CommandFailure.Config($"{where}: {FirstSentence(e.Message)}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw CommandFailure.Config($"{path}: expected an object of settings, found {Describe(document.RootElement).Describe()}");
            var entries = new List<KeyValuePair<string, ConfigValue>>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                string? name = null;
                try
                {
                    name = property.Name;
                    entries.Add(KeyValuePair.Create(name, Describe(property.Value)));
                }
                catch (InvalidOperationException)
                {
                    // An escape that is valid JSON but not text (a lone surrogate, "\ud800"):
                    // System.Text.Json parses it and then refuses to make it a string.
                    string what = name is null ? "a key" : $"the value of '{name}'";
                    throw CommandFailure.Config($"{path}: {what} is not valid Unicode text (a lone surrogate escape such as \\ud800)");
                }
            }
            return entries;
        }
    }

    private static ConfigValue Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new ConfigValue.Text(value.GetString()!),
        JsonValueKind.Number when value.TryGetInt64(out long whole) => new ConfigValue.Integer(whole),
        JsonValueKind.Number => new ConfigValue.Other($"the number {value.GetRawText()}"),
        JsonValueKind.True => new ConfigValue.Boolean(true),
        JsonValueKind.False => new ConfigValue.Boolean(false),
        JsonValueKind.Array => new ConfigValue.List(value.EnumerateArray().Select(Describe).ToList()),
        JsonValueKind.Object => new ConfigValue.Other("an object"),
        _ => new ConfigValue.Other("null"),
    };

    /// <summary>System.Text.Json appends its own position ("LineNumber: 2 | BytePositionInLine: 5."); ours comes first instead.</summary>
    private static string FirstSentence(string message)
    {
        int position = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (position > 0 ? message[..position] : message).TrimEnd('.', ' ');
    }
}
