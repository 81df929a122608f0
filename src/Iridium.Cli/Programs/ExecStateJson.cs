using System.Text.Json;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Programs;

/// <summary>`exec --state-json`: the node's final state document as `run` writes it, or for several nodes an object keyed by alias (null for a node whose program did not finish).</summary>
internal static class ExecStateJson
{
    public static void Write(string path, IReadOnlyList<ExecResult> results, bool keyedByAlias)
    {
        if (!keyedByAlias)
        {
            // No state when the program never ran or was stopped: like `run`, nothing to write then.
            if (results[0].StateJson is { } state) OutputFile.Write(path, state);
            return;
        }
        OutputFile.Write(path, output =>
        {
            using var json = new Utf8JsonWriter(output);
            json.WriteStartObject();
            foreach (var result in results)
            {
                json.WritePropertyName(result.Alias ?? result.Target);
                if (result.StateJson is { } state) json.WriteRawValue(state, skipInputValidation: false);
                else json.WriteNullValue();
            }
            json.WriteEndObject();
        });
    }
}
