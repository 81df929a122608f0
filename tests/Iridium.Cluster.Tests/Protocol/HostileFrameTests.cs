using System.Buffers;
using System.Buffers.Binary;
using System.Reflection;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Tests.Protocol;

/// <summary>
/// Payloads that lie about their lengths. Each must fail as a <see cref="ProtocolException"/>
/// (which closes that one connection), never crash the process, and never allocate more than a
/// small multiple of the frame: the frame cap is what bounds a hostile peer.
/// </summary>
public class HostileFrameTests
{
    private const byte LeaveTag = 12, HelloAckTag = 3, MembersViewTag = 21, DataTag = 24;

    /// <summary>Allocation allowed for decoding a few dozen hostile bytes: exceptions and their messages.</summary>
    private const long SmallFrameAllocationBound = 32 * 1024;

    public static TheoryData<string, byte[]> LyingLengths => new()
    {
        { "list claims int.MaxValue members", Message(HelloAckTag, Int(int.MaxValue)) },
        { "list claims a negative count", Message(HelloAckTag, Int(-2)) },
        { "member view list claims int.MaxValue", Message(MembersViewTag, Int(int.MaxValue)) },
        { "byte[] claims int.MaxValue bytes", Message(DataTag, Int(int.MaxValue)) },
        { "byte[] claims a negative length", Message(DataTag, Int(-2)) },
        { "UTF-16 string claims int.MaxValue units", Message(LeaveTag, Int(int.MaxValue)) },
        { "UTF-8 string claims int.MaxValue - 1 bytes", Message(LeaveTag, Int(~(int.MaxValue - 1)), Int(0)) },
        { "UTF-8 string claims int.MaxValue UTF-16 units", Message(LeaveTag, Int(~3), Int(int.MaxValue), "abc"u8.ToArray()) },
        { "UTF-8 byte count overflows with its header (0x80000000)", Message(LeaveTag, Int(int.MinValue), Int(0)) },
        { "UTF-8 byte count overflows with its header (0x80000003)", Message(LeaveTag, Int(int.MinValue + 3), Int(-1)) },
        { "UTF-8 byte count overflows, UTF-16 length set", Message(LeaveTag, Int(int.MinValue), Int(5), "abc"u8.ToArray()) },
    };

    [Theory, MemberData(nameof(LyingLengths))]
    public void ALyingLengthIsAProtocolErrorWithoutABigAllocation(string why, byte[] payload)
    {
        long allocated = AllocatedWhile(() => Assert.Throws<ProtocolException>(() => FrameCodec.Decode(new ReadOnlySequence<byte>(payload))));
        Assert.True(allocated < SmallFrameAllocationBound, $"{why}: decoding {payload.Length} bytes allocated {allocated} bytes");
    }

    /// <summary>
    /// A length the frame can hold is believed: a handshake-sized frame of null entries decodes
    /// into a list of that many nulls (8 bytes a slot). That, not the claimed length, is the bound,
    /// and the handshake then refuses a list over <see cref="ProtocolLimits.MaxMembers"/>.
    /// </summary>
    [Fact]
    public void AFullFrameCostsAtMostASmallMultipleOfItsSize()
    {
        int count = ProtocolLimits.HandshakeFrameBytes - 6;
        byte[] payload = Message(HelloAckTag, Int(count), Enumerable.Repeat((byte)0xFF, count).ToArray());
        HelloAck? ack = null;
        long allocated = AllocatedWhile(() => ack = (HelloAck)FrameCodec.Decode(new ReadOnlySequence<byte>(payload)));
        Assert.Equal(count, ack!.Members!.Count);
        Assert.True(allocated <= 10L * payload.Length, $"decoding a {payload.Length}-byte frame allocated {allocated} bytes");
    }

    /// <summary>
    /// The four string headers that overflow MemoryPack's own check, written over every position of
    /// every golden message: wherever a string header may stand, the frame is refused or decodes
    /// to something harmless; the process never reads past the frame (which would kill it here).
    /// </summary>
    [Fact]
    public void OverflowingStringHeadersAnywhereNeverReadPastTheFrame()
    {
        int refused = 0;
        foreach (var message in GoldenMessages.Cases.Values)
        {
            byte[] golden = FrameCodec.ToFrame(message)[ProtocolLimits.FrameHeaderBytes..];
            for (int offset = 0; offset + 4 <= golden.Length; offset++)
            {
                for (int header = int.MinValue; header <= int.MinValue + 3; header++)
                {
                    byte[] mutated = (byte[])golden.Clone();
                    BinaryPrimitives.WriteInt32LittleEndian(mutated.AsSpan(offset), header);
                    try
                    {
                        FrameCodec.Decode(new ReadOnlySequence<byte>(mutated));
                    }
                    catch (ProtocolException)
                    {
                        refused++;
                    }
                }
            }
        }
        Assert.True(refused > 0);
    }

    [Fact]
    public void EveryStringMemberOfAMessageTravelsAsCheckedText()
    {
        // What MemoryPack serializes: public properties and fields it does not ignore, and members it is told to include.
        const BindingFlags Instance = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance;
        var serialized = typeof(IClusterMessage).Assembly.GetTypes()
            .Where(t => t.IsDefined(typeof(MemoryPack.MemoryPackableAttribute), inherit: false))
            .SelectMany(t => t.GetMembers(Instance).Where(m => m is PropertyInfo or FieldInfo)
                .Where(m => m.IsDefined(typeof(MemoryPack.MemoryPackIncludeAttribute))
                    || (!m.IsDefined(typeof(MemoryPack.MemoryPackIgnoreAttribute)) && m is PropertyInfo { GetMethod.IsPublic: true } or FieldInfo { IsPublic: true }))
                .Select(m => (Type: t, Member: m, MemberType: m is PropertyInfo p ? p.PropertyType : ((FieldInfo)m).FieldType)))
            .ToList();
        Assert.Contains(serialized, s => s.MemberType == typeof(CheckedText));
        Assert.Empty(serialized.Where(s => s.MemberType == typeof(string)).Select(s => $"{s.Type.Name}.{s.Member.Name}"));
    }

    [Fact]
    public void TrailingBytesAfterTheMessageAreAProtocolError()
    {
        byte[] frame = FrameCodec.ToFrame(new Leave { Reason = "x" });
        byte[] payload = [.. frame[ProtocolLimits.FrameHeaderBytes..], 0];
        var e = Assert.Throws<ProtocolException>(() => FrameCodec.Decode(new ReadOnlySequence<byte>(payload)));
        Assert.Contains("left over", e.Message);
    }

    private static long AllocatedWhile(Action action)
    {
        action(); // first run: JIT, static constructors, type loads
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>A union tag, a member count of 1, then the given bytes.</summary>
    private static byte[] Message(byte tag, params byte[][] parts) => [tag, 1, .. parts.SelectMany(p => p)];

    private static byte[] Int(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        return bytes;
    }
}
