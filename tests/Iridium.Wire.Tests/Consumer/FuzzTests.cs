using Iridium.Wire.Tests.Vectors;

namespace Iridium.Wire.Tests.Consumer;

/// <summary>
/// Hostile input: a seeded, bounded fuzzer mutates every vector and every sample message (bit
/// flips, truncation, int32 length fields set to huge or negative values, sentinel bytes,
/// insertions) and decodes the result. Each decode must give a value or a WireFormatException;
/// anything else (or a crash of the test process) is a failure.
/// </summary>
public sealed class FuzzTests
{
    private const int Seed = 0x1D1D1;
    private const int MutationsPerInput = 300;

    [Fact]
    public void Mutated_vectors_decode_or_throw_WireFormatException()
    {
        var random = new Random(Seed);
        var assembly = VectorAssembly.Instance;
        int decoded = 0, rejected = 0;
        for (int index = 0; index < Vector.All.Count; index++)
        {
            var original = Vector.All[index].Bytes;
            for (int m = 0; m < MutationsPerInput; m++)
            {
                byte[] input = Mutate(original, random);
                try
                {
                    assembly.Deserialize(index, input, WireSerializerOptions.Default);
                    decoded++;
                }
                catch (WireFormatException)
                {
                    rejected++;
                }
                catch (Exception ex)
                {
                    Assert.Fail($"{Vector.All[index].Name} input {Convert.ToHexString(input)} threw {ex.GetType().Name}: {ex.Message}");
                }
            }
        }
        Assert.Equal(Vector.All.Count * MutationsPerInput, decoded + rejected);
        Assert.True(rejected > decoded / 10, $"suspiciously few rejections: {rejected} of {decoded + rejected}");
    }

    [Fact]
    public void Mutated_messages_decode_or_throw_WireFormatException()
    {
        var random = new Random(Seed + 1);
        foreach (var message in RoundTripTests.Samples())
        {
            byte[] original = WireSerializer.Serialize<IClusterMessage>(message);
            for (int m = 0; m < MutationsPerInput * 5; m++)
            {
                byte[] input = Mutate(original, random);
                try
                {
                    WireSerializer.Deserialize<IClusterMessage>(input);
                }
                catch (WireFormatException)
                {
                }
            }
        }
    }

    internal static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int rounds = 1 + random.Next(3);
        for (int r = 0; r < rounds; r++)
        {
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0: // flip bits
                    int at = random.Next(bytes.Count);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0: // truncate
                    int keep = random.Next(bytes.Count);
                    bytes.RemoveRange(keep, bytes.Count - keep);
                    break;
                case 2 when bytes.Count >= 4: // an int32 (maybe a length) set to an extreme
                    int offset = random.Next(bytes.Count - 3);
                    int value = random.Next(5) switch { 0 => int.MaxValue, 1 => int.MinValue, 2 => -2, 3 => 0x00FFFFFF, _ => random.Next() };
                    for (int i = 0; i < 4; i++) bytes[offset + i] = (byte)(value >> (8 * i));
                    break;
                case 3 when bytes.Count > 0: // a sentinel byte
                    byte[] sentinels = [0xFF, 0xFA, 0xFB, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0xF9, 0x00, 0x7F];
                    bytes[random.Next(bytes.Count)] = sentinels[random.Next(sentinels.Length)];
                    break;
                case 4: // insert random bytes
                    var extra = new byte[1 + random.Next(4)];
                    random.NextBytes(extra);
                    bytes.InsertRange(random.Next(bytes.Count + 1), extra);
                    break;
                default: // random byte value
                    if (bytes.Count > 0) bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
            }
        }
        return bytes.ToArray();
    }
}
