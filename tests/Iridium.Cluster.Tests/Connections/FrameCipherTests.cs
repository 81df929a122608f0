using System.Buffers;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Crypto;

namespace Iridium.Cluster.Tests.Connections;

/// <summary>
/// A queued frame is sealed straight from its buffer (<see cref="QueuedFrame.WriteSealedTo"/>),
/// with no plaintext copy first: what the other side opens must be exactly the frame the
/// plain-text path writes, for program output (header and bytes sealed as one message) and for
/// any other message, and in order with frames sealed the other way.
/// </summary>
public class FrameCipherTests
{
    private static (FrameCipher Sender, FrameCipher Receiver) Pair(CipherChoice cipher)
    {
        var psk = CookieKey.PreSharedKey("frames"u8);
        var initiator = NoiseHandshake.Initiator(cipher, psk, "p"u8);
        var responder = NoiseHandshake.Responder(cipher, psk, "p"u8);
        responder.ReadFirst(initiator.WriteFirst([]));
        initiator.ReadSecond(responder.WriteSecond([]));
        return (new FrameCipher(initiator.Split()), new FrameCipher(responder.Split()));
    }

    /// <summary>Opens every sealed frame in <paramref name="wire"/>, in order, into its plain payload.</summary>
    private static List<byte[]> OpenAll(FrameCipher receiver, ReadOnlyMemory<byte> wire)
    {
        var payloads = new List<byte[]>();
        var buffer = new ReadOnlySequence<byte>(wire);
        while (FrameCodec.TryReadFrame(ref buffer, int.MaxValue, out var sealedPayload))
        {
            byte[] plaintext = receiver.Open(sealedPayload, out int length);
            payloads.Add(plaintext.AsSpan(0, length).ToArray());
            ArrayPool<byte>.Shared.Return(plaintext);
        }
        Assert.Equal(0, buffer.Length);
        return payloads;
    }

    [Theory]
    [InlineData(CipherChoice.AesGcm, 262_144)]
    [InlineData(CipherChoice.ChaChaPoly, 1000)]
    [InlineData(CipherChoice.AesGcm, 0)]
    public void QueuedFramesSealedFromTheirBuffersOpenIntoWhatThePlainTextPathWrites(CipherChoice cipher, int outputBytes)
    {
        var (sender, receiver) = Pair(cipher);
        byte[] output = Enumerable.Range(0, outputBytes).Select(i => (byte)(i * 7 + 1)).ToArray();
        var handedBack = new List<byte[]>();
        IClusterMessage chunk = OutputChunk.Of(12, output, handedBack.Add);
        IClusterMessage credit = new ExecCredit { RequestId = 12, Bytes = 4096 };
        byte[] chunkFrame = FrameCodec.ToFrame(OutputChunk.Of(12, output, null));
        byte[] creditFrame = FrameCodec.ToFrame(credit);

        var wire = new ArrayBufferWriter<byte>();
        QueuedFrame.Of(chunk, int.MaxValue, 0).WriteSealedTo(wire, sender, int.MaxValue);
        QueuedFrame.Of(credit, int.MaxValue, 0).WriteSealedTo(wire, sender, int.MaxValue);
        // The handshake's path (through the plaintext buffer) numbers its frames in the same sequence.
        FrameCodec.Write(sender.Plaintext, credit, new ArrayBufferWriter<byte>(), int.MaxValue);
        sender.SealPlaintext(wire);

        Assert.Same(output, Assert.Single(handedBack));
        Assert.Equal(chunkFrame.Length + creditFrame.Length * 2 + 3 * FrameCipher.TagBytes, wire.WrittenCount);
        var opened = OpenAll(receiver, wire.WrittenMemory);
        Assert.Equal(3, opened.Count);
        Assert.Equal(chunkFrame[ProtocolLimits.FrameHeaderBytes..], opened[0]);
        Assert.Equal(creditFrame[ProtocolLimits.FrameHeaderBytes..], opened[1]);
        Assert.Equal(creditFrame[ProtocolLimits.FrameHeaderBytes..], opened[2]);
        // Nothing of the output is on the wire in clear.
        if (outputBytes >= 64) Assert.True(wire.WrittenSpan.IndexOf(output.AsSpan(0, 64)) < 0);
    }

    [Fact]
    public void AQueuedChunkOverTheFrameCapIsNotSealed()
    {
        var (sender, _) = Pair(CipherChoice.AesGcm);
        var frame = QueuedFrame.Of(OutputChunk.Of(1, new byte[100], null), int.MaxValue, 0);
        var wire = new ArrayBufferWriter<byte>();
        Assert.Throws<ProtocolException>(() => frame.WriteSealedTo(wire, sender, ExecOutputCodec.HeaderBytes + 99));
        Assert.Equal(0, wire.WrittenCount);
    }
}
