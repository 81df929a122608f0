namespace Iridium.Wire.Tests.Vectors;

/// <summary>
/// The compatibility contract: every vector, both ways. Serializing csharp_value as type gives
/// exactly hex; deserializing hex gives a value deep-equal to csharp_value and takes every byte;
/// decode-only vectors that say `throws` fail with WireFormatException.
/// </summary>
public sealed class VectorTests
{
    public static TheoryData<string> SerializeVectors => Names(v => v.Serializes && !v.Throws);

    public static TheoryData<string> DecodeVectors => Names(v => !v.Throws);

    public static TheoryData<string> ThrowingVectors => Names(v => v.Throws);

    private static TheoryData<string> Names(Func<Vector, bool> filter)
    {
        var data = new TheoryData<string>();
        foreach (var vector in Vector.All.Where(filter)) data.Add(vector.Name);
        return data;
    }

    private static (Vector Vector, int Index) Find(string name)
    {
        var all = Vector.All;
        for (int i = 0; i < all.Count; i++)
        {
            if (all[i].Name == name) return (all[i], i);
        }
        throw new ArgumentException("no vector " + name);
    }

    [Fact]
    public void Generator_reports_nothing_for_the_vector_declarations()
    {
        Assert.Empty(VectorAssembly.Instance.GeneratorDiagnostics);
    }

    [Theory]
    [MemberData(nameof(SerializeVectors))]
    public void Serialize_gives_exact_bytes(string name)
    {
        var (vector, index) = Find(name);
        byte[] bytes = VectorAssembly.Instance.Serialize(index, vector.Options);
        Assert.Equal(vector.Hex, Convert.ToHexString(bytes).ToLowerInvariant());
    }

    [Theory]
    [MemberData(nameof(SerializeVectors))]
    public void Serialize_either_mode_vectors_are_identical_in_utf16(string name)
    {
        var (vector, index) = Find(name);
        if (vector.StringMode != "either") return;
        byte[] bytes = VectorAssembly.Instance.Serialize(index, WireSerializerOptions.Utf16);
        Assert.Equal(vector.Hex, Convert.ToHexString(bytes).ToLowerInvariant());
    }

    [Theory]
    [MemberData(nameof(DecodeVectors))]
    public void Deserialize_gives_deep_equal_value(string name)
    {
        var (vector, index) = Find(name);
        // The reader accepts both string forms whatever its own mode: decode with the other one.
        var readerOptions = vector.StringMode == "utf16" ? WireSerializerOptions.Utf8 : WireSerializerOptions.Utf16;
        object? actual = VectorAssembly.Instance.Deserialize(index, vector.Bytes, readerOptions);
        object? expected = VectorAssembly.Instance.Value(index);
        Assert.True(DeepEquality.AreEqual(expected, actual, out string difference), difference);
    }

    [Theory]
    [MemberData(nameof(DecodeVectors))]
    public void Deserialize_consumes_every_byte(string name)
    {
        var (vector, index) = Find(name);
        var bytes = vector.Bytes;
        // Deserialize rejects trailing bytes, so one extra byte must fail...
        Assert.Throws<WireFormatException>(() => VectorAssembly.Instance.Deserialize(index, [.. bytes, 0], vector.Options));
        // ...and the exact input must not (checked with the value in Deserialize_gives_deep_equal_value).
        VectorAssembly.Instance.Deserialize(index, bytes, vector.Options);
    }

    [Theory]
    [MemberData(nameof(ThrowingVectors))]
    public void Deserialize_rejects_invalid_input(string name)
    {
        var (vector, index) = Find(name);
        Assert.Throws<WireFormatException>(() => VectorAssembly.Instance.Deserialize(index, vector.Bytes, vector.Options));
    }
}
