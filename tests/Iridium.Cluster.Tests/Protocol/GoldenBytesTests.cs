using System.Buffers;
using System.Buffers.Binary;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Tests.Protocol;

/// <summary>
/// The wire contract: every case of <see cref="GoldenMessages"/> must encode to exactly the bytes
/// in <c>golden-messages.txt</c> (recorded from the build that spoke protocol version 1 first), and
/// those bytes must decode back to a message that encodes identically. A node built from any
/// commit that passes this test meshes with one built from any other.
/// </summary>
public class GoldenBytesTests
{
    private const string DataFile = "Protocol/golden-messages.txt";

    public static TheoryData<string> CaseNames => new(Golden.Keys.Order(StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> LazyGolden = new(Load);

    private static IReadOnlyDictionary<string, byte[]> Golden => LazyGolden.Value;

    [Theory, MemberData(nameof(CaseNames))]
    public void EncodingMatchesTheGoldenBytes(string name)
    {
        var message = GoldenMessages.Cases[name];
        Assert.Equal(Convert.ToHexStringLower(Golden[name]), Convert.ToHexStringLower(Payload(message)));
    }

    [Theory, MemberData(nameof(CaseNames))]
    public void TheFrameIsTheLengthThenTheGoldenBytes(string name)
    {
        byte[] golden = Golden[name];
        byte[] frame = FrameCodec.ToFrame(GoldenMessages.Cases[name]);
        Assert.Equal((uint)golden.Length, BinaryPrimitives.ReadUInt32LittleEndian(frame));
        Assert.Equal(golden, frame[ProtocolLimits.FrameHeaderBytes..]);
    }

    [Theory, MemberData(nameof(CaseNames))]
    public void TheGoldenBytesDecodeToTheSameMessage(string name)
    {
        var decoded = FrameCodec.Decode(new ReadOnlySequence<byte>(Golden[name]));
        // Program output is read into a pooled buffer (OutputChunk), and written back as the ExecOutput it was.
        Assert.IsType(GoldenMessages.Cases[name] is ExecOutput ? typeof(OutputChunk) : GoldenMessages.Cases[name].GetType(), decoded);
        // Every member of a "full" case differs from its default, so a member lost or misread
        // in decoding changes the re-encoded bytes.
        Assert.Equal(Golden[name], Payload(decoded));
    }

    [Fact]
    public void EveryClusterMessageTypeHasGoldenCases()
    {
        // The wire types: every MemoryPack message (OutputChunk is ExecOutput in memory).
        var messageTypes = typeof(IClusterMessage).Assembly.GetTypes()
            .Where(t => typeof(IClusterMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false }
                && t.IsDefined(typeof(MemoryPack.MemoryPackableAttribute), inherit: false))
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal);
        var covered = Golden.Keys.Select(k => k[..k.IndexOf('.')]).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(messageTypes, covered);
        Assert.Equal(GoldenMessages.Cases.Keys.Order(StringComparer.Ordinal), Golden.Keys.Order(StringComparer.Ordinal));
    }

    private static byte[] Payload(IClusterMessage message) => FrameCodec.ToFrame(message)[ProtocolLimits.FrameHeaderBytes..];

    /// <summary>Lines of <c>NAME HEX</c>; <c>#</c> starts a comment, blank lines are skipped.</summary>
    private static IReadOnlyDictionary<string, byte[]> Load()
    {
        var cases = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(Path.Combine(AppContext.BaseDirectory, DataFile)))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string[] fields = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (fields.Length != 2 || !cases.TryAdd(fields[0], Convert.FromHexString(fields[1])))
                throw new InvalidDataException($"{DataFile}:{lineNumber}: expected a new case name and hex bytes");
        }
        return cases;
    }
}
