using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Iridium.Store.Tests.Linearizability;

/// <summary>
/// histories.json (next to this file): histories whose answer was worked out by hand, in the JSON
/// form the end-to-end tests record (tests/e2e/linearizability.py reads the same file), so both
/// checkers are held to the same answers.
/// </summary>
public static class KnownHistories
{
    public sealed record Case(string Name, bool Linearizable, IReadOnlyList<Operation> History);

    public static IReadOnlyList<Case> Load([CallerFilePath] string here = "")
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(here)!, "histories.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => new Case(
                c.GetProperty("name").GetString()!,
                c.GetProperty("linearizable").GetBoolean(),
                c.GetProperty("history").EnumerateArray().Select(ReadOperation).ToList()))
            .ToList();
    }

    /// <summary>One operation: client, key, kind (get, put, del, cas), call, return (null: never returned), value, expected, observed, succeeded.</summary>
    public static Operation ReadOperation(JsonElement op)
    {
        string? Text(string name) => op.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var returned = op.GetProperty("return");
        return new Operation(
            op.GetProperty("client").GetInt32(),
            op.GetProperty("key").GetString()!,
            op.GetProperty("kind").GetString() switch
            {
                "get" => OperationKind.Get,
                "put" => OperationKind.Put,
                "del" => OperationKind.Delete,
                "cas" => OperationKind.CompareAndSet,
                var other => throw new InvalidDataException($"histories.json: unknown kind '{other}'"),
            },
            op.GetProperty("call").GetInt64(),
            returned.ValueKind == JsonValueKind.Null ? long.MaxValue : returned.GetInt64(),
            Value: Text("value"),
            Expected: Text("expected"),
            Observed: Text("observed"),
            Succeeded: op.TryGetProperty("succeeded", out var s) && s.GetBoolean());
    }
}
