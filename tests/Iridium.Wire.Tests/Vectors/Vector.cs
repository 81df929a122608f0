using System.Text.Json;
using System.Text.Json.Serialization;

namespace Iridium.Wire.Tests.Vectors;

/// <summary>One entry of shared/vectors/memorypack/vectors.json (see its README).</summary>
public sealed record Vector(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("csharp_declaration")] string Declaration,
    [property: JsonPropertyName("csharp_value")] string Value,
    [property: JsonPropertyName("string_mode")] string StringMode,
    [property: JsonPropertyName("direction")] string Direction,
    [property: JsonPropertyName("byte_length")] int ByteLength,
    [property: JsonPropertyName("hex")] string Hex)
{
    public bool Throws => Value.TrimStart().StartsWith("throws", StringComparison.Ordinal);

    public bool Serializes => Direction == "serialize_and_deserialize";

    public byte[] Bytes => Convert.FromHexString(Hex);

    public WireSerializerOptions Options => StringMode == "utf16" ? WireSerializerOptions.Utf16 : WireSerializerOptions.Utf8;

    /// <summary>
    /// All vectors, found the way CI lays the repository out: the directory holding
    /// Iridium.Aot.sln, then ../shared/vectors/memorypack/vectors.json.
    /// </summary>
    public static IReadOnlyList<Vector> All => s_all.Value;

    private static readonly Lazy<IReadOnlyList<Vector>> s_all = new(() =>
        JsonSerializer.Deserialize<List<Vector>>(File.ReadAllText(FindVectorsFile()))!);

    public static string FindVectorsFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Iridium.Aot.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "vectors", "memorypack", "vectors.json"));
            }
        }
        throw new FileNotFoundException("Iridium.Aot.sln not found above " + AppContext.BaseDirectory);
    }
}
