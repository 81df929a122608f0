using System.Buffers;
using System.Buffers.Binary;
using Iridium.Cluster.Protocol;
using MemoryPack;

namespace Iridium.Cluster.Tests.Protocol;

/// <summary>
/// <see cref="ExecOutput"/> is read and written by hand (<see cref="ExecOutputCodec"/>): both
/// directions must agree with MemoryPack's encoding byte for byte, in any chunking of the input,
/// and anything malformed must be a protocol error, never a crash.
/// </summary>
public class ExecOutputCodecTests
{
    public static TheoryData<int?> Sizes => new() { null, 0, 1, 13, 14, 4096, 65_536, 262_144 };

    private static byte[]? Bytes(int? size) => size is { } n ? Enumerable.Range(0, n).Select(i => (byte)(i * 31 + 7)).ToArray() : null;

    private static byte[] MemoryPackPayload(long requestId, byte[]? bytes)
        => MemoryPackSerializer.Serialize<IClusterMessage>(new ExecOutput { RequestId = requestId, Bytes = bytes });

    /// <summary>The same bytes as a sequence of segments of <paramref name="segment"/> bytes (as a pipe hands them over).</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int segment)
    {
        if (bytes.Length <= segment) return new ReadOnlySequence<byte>(bytes);
        var first = new Segment(bytes.AsMemory(0, segment), 0);
        var last = first;
        for (int i = segment; i < bytes.Length; i += segment) last = last.Append(bytes.AsMemory(i, Math.Min(segment, bytes.Length - i)));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void WhatMemoryPackEncodesIsReadInAnyChunkingAndWrittenBackIdentically(int? size)
    {
        byte[]? bytes = Bytes(size);
        byte[] payload = MemoryPackPayload(long.MinValue + 3, bytes);
        foreach (int segment in new[] { 1, 7, 4096, 65_536, int.MaxValue })
        {
            var decoded = Assert.IsType<OutputChunk>(FrameCodec.Decode(Segmented(payload, segment)));
            Assert.Equal(long.MinValue + 3, decoded.RequestId);
            Assert.Equal(bytes is null ? -1 : bytes.Length, decoded.Length);
            Assert.Equal(bytes ?? [], decoded.Bytes.ToArray());

            byte[] frame = FrameCodec.ToFrame(decoded);
            Assert.Equal((uint)payload.Length, BinaryPrimitives.ReadUInt32LittleEndian(frame));
            Assert.Equal(payload, frame[ProtocolLimits.FrameHeaderBytes..]);
            Assert.Equal(0, decoded.Bytes.Length); // written: its buffer went back to the pool
        }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void WhatMemoryPackEncodesIsReadInPlaceFromAnOpenedBufferAndWrittenBackIdentically(int? size)
    {
        byte[]? bytes = Bytes(size);
        byte[] payload = MemoryPackPayload(77, bytes);
        // A rented buffer is usually longer than the payload in it (an opened frame's plaintext).
        byte[] pooled = ArrayPool<byte>.Shared.Rent(payload.Length + 100);
        payload.CopyTo(pooled, 0);

        Assert.True(ExecOutputCodec.TryDecodeInPlace(pooled, payload.Length, out var decoded));
        Assert.Equal((77L, bytes is null ? -1 : bytes.Length), (decoded!.RequestId, decoded.Length));
        Assert.Equal(bytes ?? [], decoded.Bytes.ToArray());
        if (bytes is { Length: > 0 })
        {
            pooled[ExecOutputCodec.HeaderBytes] ^= 0xFF;
            Assert.Equal(bytes[0] ^ 0xFF, decoded.Bytes[0]); // the bytes are read where they are, not copied
            pooled[ExecOutputCodec.HeaderBytes] ^= 0xFF;
        }
        Assert.Equal(payload, FrameCodec.ToFrame(decoded)[ProtocolLimits.FrameHeaderBytes..]);
        Assert.Equal(0, decoded.Bytes.Length); // written: the buffer went back to the pool
    }

    [Fact]
    public void AnotherMessageIsNotReadInPlaceAndItsBufferStaysTheCallers()
    {
        byte[] payload = MemoryPackSerializer.Serialize<IClusterMessage>(new ExecCancel { RequestId = 3 });
        Assert.False(ExecOutputCodec.TryDecodeInPlace(payload, payload.Length, out var decoded));
        Assert.Null(decoded);
        Assert.False(ExecOutputCodec.TryDecodeInPlace([WireTags.ExecOutput], 1, out _));
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void AMalformedExecOutputReadInPlaceIsAProtocolError(string what, byte[] payload)
    {
        if (payload.Length < ExecOutputCodec.HeaderBytes)
        {
            Assert.False(ExecOutputCodec.TryDecodeInPlace(payload, payload.Length, out _), what);
            return;
        }
        var e = Assert.Throws<ProtocolException>(() => ExecOutputCodec.TryDecodeInPlace(payload, payload.Length, out _));
        Assert.False(string.IsNullOrEmpty(e.Message), what);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AChunkAProcessShipsIsEncodedAsMemoryPackEncodesItThenHandedBack(int? size)
    {
        byte[] bytes = Bytes(size) ?? [];
        var handedBack = new List<byte[]>();
        var chunk = OutputChunk.Of(-2, bytes, handedBack.Add);

        byte[] frame = FrameCodec.ToFrame(chunk);
        byte[] payload = MemoryPackPayload(-2, bytes);
        Assert.Equal((uint)payload.Length, BinaryPrimitives.ReadUInt32LittleEndian(frame));
        Assert.Equal(payload, frame[ProtocolLimits.FrameHeaderBytes..]);
        Assert.Same(bytes, Assert.Single(handedBack));
    }

    [Fact]
    public void ARelayedMessageIsWrittenUnderItsNewRequestId()
    {
        var received = Assert.IsType<OutputChunk>(FrameCodec.Decode(new ReadOnlySequence<byte>(MemoryPackPayload(5, [1, 2, 3]))));
        received.RequestId = 9;
        Assert.Equal(MemoryPackPayload(9, [1, 2, 3]), FrameCodec.ToFrame(received)[ProtocolLimits.FrameHeaderBytes..]);
    }

    [Fact]
    public void AnOlderShorterFormIsReadByMemoryPackAndArrivesAsOutputChunkToo()
    {
        // Member count 1: only RequestId, as a writer with fewer members would send it.
        byte[] payload = [WireTags.ExecOutput, 1, 42, 0, 0, 0, 0, 0, 0, 0];
        var decoded = Assert.IsType<OutputChunk>(FrameCodec.Decode(new ReadOnlySequence<byte>(payload)));
        Assert.Equal((42L, -1), (decoded.RequestId, decoded.Length));
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "a byte count below -1", Frame(1, -2, []) },
        { "more bytes announced than carried", Frame(1, 10, new byte[9]) },
        { "fewer bytes announced than carried", Frame(1, 3, new byte[4]) },
        { "a null array followed by bytes", Frame(1, -1, new byte[1]) },
        { "the largest byte count", Frame(1, int.MaxValue, new byte[16]) },
        { "a truncated header", Frame(1, 0, [])[..^1] },
    };

    private static byte[] Frame(long requestId, int count, byte[] bytes)
    {
        var payload = new byte[ExecOutputCodec.HeaderBytes + bytes.Length];
        payload[0] = WireTags.ExecOutput;
        payload[1] = 2;
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(2), requestId);
        BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(10), count);
        bytes.CopyTo(payload, ExecOutputCodec.HeaderBytes);
        return payload;
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void AMalformedExecOutputIsAProtocolError(string what, byte[] payload)
    {
        var e = Assert.Throws<ProtocolException>(() => FrameCodec.Decode(new ReadOnlySequence<byte>(payload)));
        Assert.False(string.IsNullOrEmpty(e.Message), what);
    }

    [Fact]
    public void OutputOverTheFrameCapIsNotWritten()
    {
        var received = Assert.IsType<OutputChunk>(FrameCodec.Decode(new ReadOnlySequence<byte>(MemoryPackPayload(1, new byte[100]))));
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ProtocolException>(() => FrameCodec.Write(output, received, new ArrayBufferWriter<byte>(), ExecOutputCodec.HeaderBytes + 99));
        Assert.Equal(0, output.WrittenCount);
        Assert.Equal(100, received.Bytes.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
