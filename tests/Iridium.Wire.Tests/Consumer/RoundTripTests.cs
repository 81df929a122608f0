using System.Buffers;

namespace Iridium.Wire.Tests.Consumer;

/// <summary>Round trips and limits through types compiled with the generator as an Analyzer.</summary>
public sealed class RoundTripTests
{
    internal static readonly Guid NodeId = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");

    internal static IClusterMessage[] Samples() =>
    [
        new Hello { Alias = "alpha", ListenPort = 7000, NodeId = NodeId },
        new HelloAck { Self = new NodeInfo { Alias = "a", Host = "h", Port = 1 }, Members = [new NodeInfo { Alias = "b" }, null] },
        new Join { Info = null },
        new Heartbeat { Sequence = 42, UnixMillis = 1_700_000_000_123 },
        new Leave(NodeId, "bye ✓", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)),
        new Gossip
        {
            Versions = new() { ["x"] = 1, ["y"] = -1 },
            Seen = [1, 2, 3],
            MaybeEpoch = 9,
            Pair = (5, "v"),
            Inner = new Heartbeat { Sequence = 1 },
            Tags = ["t", null, ""],
        },
    ];

    [Fact]
    public void Union_messages_round_trip_in_both_string_modes()
    {
        foreach (var options in new[] { WireSerializerOptions.Utf8, WireSerializerOptions.Utf16 })
        {
            foreach (var message in Samples())
            {
                byte[] bytes = WireSerializer.Serialize<IClusterMessage>(message, options);
                var back = WireSerializer.Deserialize<IClusterMessage>(bytes);
                Assert.True(Vectors.DeepEquality.AreEqual(message, back, out string difference), difference);
            }
        }
    }

    [Fact]
    public void Union_tag_precedes_the_case_bytes_and_wide_tags_use_FA()
    {
        var heartbeat = new Heartbeat { Sequence = 1, UnixMillis = 2 };
        Assert.Equal([3, .. WireSerializer.Serialize(heartbeat)], WireSerializer.Serialize<IClusterMessage>(heartbeat));
        var gossip = new Gossip();
        Assert.Equal([0xFA, 0x2C, 0x01, .. WireSerializer.Serialize(gossip)], WireSerializer.Serialize<IClusterMessage>(gossip));
    }

    [Fact]
    public void Buffer_writer_and_multi_segment_sequence_give_the_same_value()
    {
        var message = Samples()[1];
        var writer = new ArrayBufferWriter<byte>();
        WireSerializer.Serialize<IClusterMessage>(writer, message);
        Assert.Equal(WireSerializer.Serialize<IClusterMessage>(message), writer.WrittenSpan.ToArray());

        var sequence = Segments.Split(writer.WrittenMemory, 3);
        Assert.False(sequence.IsSingleSegment);
        var back = WireSerializer.Deserialize<IClusterMessage>(sequence);
        Assert.True(Vectors.DeepEquality.AreEqual(message, back, out string difference), difference);
    }

    [Fact]
    public void Version_tolerant_object_round_trips_with_a_gap_slot()
    {
        var config = new ClusterConfig { Name = "c", Replicas = 3, Seeds = [new NodeInfo { Alias = "s" }] };
        byte[] bytes = WireSerializer.Serialize(config);
        Assert.Equal(4, bytes[0]);   // slots 0..3
        Assert.Equal(9, bytes[1]);   // slot 0: "c" as UTF-8 is 9 bytes
        Assert.Equal(0, bytes[2]);   // slot 1 unused: length 0
        Assert.True(Vectors.DeepEquality.AreEqual(config, WireSerializer.Deserialize<ClusterConfig>(bytes), out string difference), difference);
    }

    [Fact]
    public void Circular_reference_ring_keeps_identity()
    {
        var a = new Peer { Name = "a" };
        var b = new Peer { Name = "b", Next = a };
        a.Next = b;
        var back = WireSerializer.Deserialize<Peer>(WireSerializer.Serialize(a))!;
        Assert.Equal("b", back.Next!.Name);
        Assert.Same(back, back.Next.Next);
    }

    [Fact]
    public void Nesting_beyond_MaxDepth_is_refused_both_ways()
    {
        var chain = new Chain();
        for (int i = 0; i < 100; i++) chain = new Chain { Next = chain };
        Assert.Throws<InvalidOperationException>(() => WireSerializer.Serialize(chain));

        var deep = new WireSerializerOptions { MaxDepth = 200 };
        byte[] bytes = WireSerializer.Serialize(chain, deep);
        Assert.NotNull(WireSerializer.Deserialize<Chain>(bytes, deep));
        Assert.Throws<WireFormatException>(() => WireSerializer.Deserialize<Chain>(bytes));
    }

    [Fact]
    public void Collection_count_limits_are_checked_before_allocating()
    {
        // Claims int.MaxValue - 1 elements with 4 bytes of input.
        byte[] huge = [0xFE, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4];
        Assert.Throws<WireFormatException>(() => WireSerializer.Deserialize<List<int>>(huge));
        Assert.Throws<WireFormatException>(() => WireSerializer.Deserialize<string>(huge));

        byte[] three = WireSerializer.Serialize(new List<int> { 1, 2, 3 });
        var strict = new WireSerializerOptions { MaxCollectionLength = 2 };
        Assert.Throws<WireFormatException>(() => WireSerializer.Deserialize<List<int>>(three, strict));
        Assert.Equal([1, 2, 3], WireSerializer.Deserialize<List<int>>(three)!);
    }

    [Fact]
    public void Unknown_union_tag_and_truncation_are_WireFormatException()
    {
        Assert.Throws<WireFormatException>(() => WireSerializer.Deserialize<IClusterMessage>([9, 0]));
        Assert.Throws<WireFormatException>(() => WireSerializer.Deserialize<IClusterMessage>([0xFA, 0x00]));
        byte[] hello = WireSerializer.Serialize<IClusterMessage>(Samples()[0]);
        for (int length = 1; length < hello.Length; length++)
        {
            Assert.Throws<WireFormatException>(() => WireSerializer.Deserialize<IClusterMessage>(hello.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Serialize_into_a_reused_buffer_writer_allocates_nothing()
    {
        var message = new HelloAck { Self = new NodeInfo { Alias = "a", Host = "h", Port = 1 }, Members = [new NodeInfo { Alias = "b" }] };
        var writer = new ArrayBufferWriter<byte>(1024);
        for (int i = 0; i < 100; i++)
        {
            writer.ResetWrittenCount();
            WireSerializer.Serialize<IClusterMessage>(writer, message);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            writer.ResetWrittenCount();
            WireSerializer.Serialize<IClusterMessage>(writer, message);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

/// <summary>Builds a multi-segment ReadOnlySequence.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> memory, int pieces)
    {
        int size = Math.Max(1, memory.Length / pieces);
        var first = new Segments(memory[..size], 0);
        var last = first;
        for (int offset = size; offset < memory.Length; offset += size)
        {
            var next = new Segments(memory.Slice(offset, Math.Min(size, memory.Length - offset)), offset);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
