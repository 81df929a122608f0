using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Tests.Protocol;

public class FramingTests
{
    [Fact]
    public async Task FramesRoundTripOverAPipeInAnyChunking()
    {
        var messages = new IClusterMessage[]
        {
            new Hello { ProtocolVersion = 1, NodeId = Guid.NewGuid(), Alias = "alpha", AdvertisedHost = "10.0.0.1", AdvertisedPort = 2254, Nonce = new byte[32], Role = ConnectionRole.Client },
            new HelloAck { Members = [new MemberRecord { NodeId = Guid.NewGuid(), Alias = "beta", Host = "h", Port = 7 }] },
            new Heartbeat { Sequence = 5, Digest = ulong.MaxValue, MemberCount = 3 },
            new Data { Body = new byte[1000] },
            new Leave { Reason = "bye" },
        };
        var bytes = messages.SelectMany(FrameCodec.ToFrame).ToArray();

        foreach (int chunk in new[] { 1, 3, 7, 64, bytes.Length })
        {
            var pipe = new Pipe();
            for (int i = 0; i < bytes.Length; i += chunk)
            {
                await pipe.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
            }
            pipe.Writer.Complete();

            var read = new List<IClusterMessage>();
            while (true)
            {
                var result = await pipe.Reader.ReadAsync();
                var buffer = result.Buffer;
                while (FrameCodec.TryReadFrame(ref buffer, 1 << 20, out var payload)) read.Add(FrameCodec.Decode(payload));
                pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
            Assert.Equal(messages.Select(m => m.GetType()), read.Select(m => m.GetType()));
            Assert.Equal("alpha", ((Hello)read[0]).Alias);
            Assert.Equal(ConnectionRole.Client, ((Hello)read[0]).Role);
            Assert.Equal("beta", ((HelloAck)read[1]).Members![0].Alias);
            Assert.Equal(ulong.MaxValue, ((Heartbeat)read[2]).Digest);
            Assert.Equal(1000, ((Data)read[3]).Body!.Length);
        }
    }

    [Fact]
    public void TheUnionTagAndMemberCountLeadThePayload()
    {
        var frame = FrameCodec.ToFrame(new Heartbeat { Sequence = 1, Digest = 2, MemberCount = 3 });
        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32LittleEndian(frame));
        Assert.Equal(10, frame[4]); // union tag of Heartbeat
        Assert.Equal(3, frame[5]);  // three members
        Assert.Equal(4 + 2 + 8 + 8 + 4, frame.Length);
    }

    [Fact]
    public void AnOverCapLengthIsRejectedBeforeTheBodyArrives()
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (1 << 20) + 1);
        var buffer = new ReadOnlySequence<byte>(header);
        var e = Assert.Throws<ProtocolException>(() => FrameCodec.TryReadFrame(ref buffer, 1 << 20, out _));
        Assert.Contains("cap", e.Message);
    }

    [Fact]
    public void AZeroLengthFrameIsRejected()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[4]);
        Assert.Throws<ProtocolException>(() => FrameCodec.TryReadFrame(ref buffer, 1 << 20, out _));
    }

    [Fact]
    public void AnIncompleteFrameWaitsForMoreBytes()
    {
        var frame = FrameCodec.ToFrame(new Leave { Reason = "x" });
        var buffer = new ReadOnlySequence<byte>(frame, 0, frame.Length - 1);
        Assert.False(FrameCodec.TryReadFrame(ref buffer, 1 << 20, out _));
        Assert.Equal(frame.Length - 1, buffer.Length);
    }

    [Theory]
    [InlineData(new byte[] { 200 })]                      // unknown union tag
    [InlineData(new byte[] { 10, 3, 1 })]                  // truncated Heartbeat
    [InlineData(new byte[] { 12, 1, 0xF0, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0 })] // string longer than the frame
    public void APayloadThatDoesNotDecodeIsAProtocolError(byte[] payload)
    {
        Assert.Throws<ProtocolException>(() => FrameCodec.Decode(new ReadOnlySequence<byte>(payload)));
    }

    [Fact]
    public void AMessageOverTheCapIsNotWritten()
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<ProtocolException>(() => FrameCodec.Write(output, new Data { Body = new byte[2000] }, new ArrayBufferWriter<byte>(), 1000));
        Assert.Equal(0, output.WrittenCount);
    }
}
