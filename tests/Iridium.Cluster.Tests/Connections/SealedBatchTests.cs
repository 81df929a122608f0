using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;
using Iridium.Crypto;

namespace Iridium.Cluster.Tests.Connections;

/// <summary>
/// Small frames queued together on an encrypted connection are sealed as one
/// (<see cref="SealedBatch"/>): they arrive all, once, and in each sender's order; the batch's
/// bytes are fixed (golden); and a batch altered, replayed, dropped, moved or cut ends the
/// connection with none of its messages delivered, as a lone sealed frame does.
/// </summary>
public class SealedBatchTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>The sequence numbers of the pings <paramref name="heard"/> was handed, in order.</summary>
    private static List<long> Sequences(RecordingHandler heard) => heard.Messages.Cast<Ping>().Select(p => p.Sequence).ToList();

    private static CipherState Keyed(byte fill)
    {
        var state = new CipherState(CipherChoice.ChaChaPoly);
        state.InitializeKey(Enumerable.Repeat(fill, CipherState.KeyBytes).ToArray());
        return state;
    }

    /// <summary>The dialer's keys (it seals with key 1) and the acceptor's (it opens with key 1): fresh states, counters at 0.</summary>
    private static TransportKeys DialerKeys() => new(Keyed(1), Keyed(2), []);

    private static TransportKeys AcceptorKeys() => new(Keyed(2), Keyed(1), []);

    /// <summary>A started encrypted sender and the raw bytes it writes (nobody reads them but the test).</summary>
    private static (ClusterConnection Sender, PipeReader Wire) SenderAndWire(Action<ClusterConnection> beforeStart)
    {
        var (d, a) = PipeTransport.CreatePair();
        var sender = new ClusterConnection(d, true, 1 << 20);
        sender.Encrypt(DialerKeys());
        beforeStart(sender);
        sender.Start(new RecordingHandler(), queueBytes: 64 << 20);
        return (sender, a.Input);
    }

    /// <summary>The next <paramref name="count"/> frames on <paramref name="wire"/>, each whole (length prefix and sealed payload).</summary>
    private static async Task<List<byte[]>> FramesAsync(PipeReader wire, int count)
    {
        using var deadline = new CancellationTokenSource(Wait);
        var frames = new List<byte[]>();
        byte[] header = new byte[ProtocolLimits.FrameHeaderBytes];
        while (frames.Count < count)
        {
            var result = await wire.ReadAsync(deadline.Token);
            var buffer = result.Buffer;
            while (frames.Count < count && buffer.Length >= ProtocolLimits.FrameHeaderBytes)
            {
                buffer.Slice(0, ProtocolLimits.FrameHeaderBytes).CopyTo(header);
                long total = ProtocolLimits.FrameHeaderBytes + BinaryPrimitives.ReadUInt32LittleEndian(header);
                if (buffer.Length < total) break;
                frames.Add(buffer.Slice(0, total).ToArray());
                buffer = buffer.Slice(total);
            }
            wire.AdvanceTo(buffer.Start, buffer.End);
        }
        return frames;
    }

    /// <summary>A started encrypted receiver fed <paramref name="wire"/>, then the end of the stream.</summary>
    private static async Task<(ClusterConnection Receiver, RecordingHandler Heard)> ReceiveAsync(byte[] wire)
    {
        var (d, a) = PipeTransport.CreatePair();
        var receiver = new ClusterConnection(a, false, 1 << 20);
        receiver.Encrypt(AcceptorKeys());
        var heard = new RecordingHandler();
        receiver.Start(heard);
        await d.Output.WriteAsync(wire);
        await d.Output.CompleteAsync();
        await heard.Closed.Task.WaitAsync(Wait);
        return (receiver, heard);
    }

    private static ReadOnlySequence<byte> SealedPayload(byte[] frame) => new(frame, ProtocolLimits.FrameHeaderBytes, frame.Length - ProtocolLimits.FrameHeaderBytes);

    [Fact]
    public async Task FramesQueuedTogetherAreSealedAsOneAndArriveAllInOrder()
    {
        // Queued before the connection starts: the writer finds all of them at once.
        const int Count = 2_000;
        var (d, a) = PipeTransport.CreatePair();
        var sender = new ClusterConnection(d, true, 1 << 20);
        var receiver = new ClusterConnection(a, false, 1 << 20);
        sender.Encrypt(DialerKeys());
        receiver.Encrypt(AcceptorKeys());
        for (int i = 0; i < Count; i++) Assert.True(sender.TrySend(new Ping { Sequence = i }));
        long queued = sender.QueuedBytes;
        var heard = new RecordingHandler();
        receiver.Start(heard);
        sender.Start(new RecordingHandler());

        await Eventually.True(() => heard.Messages.Count == Count || receiver.Closing is not null, Wait, "every ping");
        Assert.Null(receiver.Closing);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), Sequences(heard));
        // As few seals as the batch size allows, far fewer than frames.
        Assert.InRange(sender.SealedBatches, (queued + SealedBatch.MaxBytes - 1) / SealedBatch.MaxBytes, Count / 10);
        Assert.Equal(0, sender.QueuedBytes);
        sender.Close(CloseReason.Done, "done");
    }

    [Fact]
    public async Task FramesFromManyThreadsSealedInBatchesKeepEachSendersOrder()
    {
        // Each thread sends in bursts while lent to the scheduler, as a read loop's processes do:
        // its frames are queued at once and written when the burst ends, so the writer (whichever
        // thread it is) finds several queued and seals them together, interleaved with the others'.
        const int Threads = 4, Bursts = 200, PerBurst = 25;
        var (d, a) = PipeTransport.CreatePair();
        var sender = new ClusterConnection(d, true, 1 << 20);
        var receiver = new ClusterConnection(a, false, 1 << 20);
        sender.Encrypt(DialerKeys());
        receiver.Encrypt(AcceptorKeys());
        var heard = new RecordingHandler();
        sender.Start(new RecordingHandler(), queueBytes: 64 << 20);
        receiver.Start(heard);
        using var together = new Barrier(Threads);
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
        {
            together.SignalAndWait();
            for (int b = 0; b < Bursts; b++)
            {
                bool lent = Iridium.Vm.LentThread.Lend();
                for (int i = 0; i < PerBurst; i++) Assert.True(sender.TrySendBatched(new Ping { Sequence = t * 1_000_000L + b * PerBurst + i }));
                if (lent) Iridium.Vm.LentThread.Return();
            }
        }, TaskCreationOptions.LongRunning))).WaitAsync(Wait);

        const int PerThread = Bursts * PerBurst;
        await Eventually.True(() => heard.Messages.Count == Threads * PerThread || receiver.Closing is not null, Wait, "every ping");
        Assert.Null(receiver.Closing);
        var sequences = Sequences(heard);
        for (int t = 0; t < Threads; t++)
        {
            long first = t * 1_000_000L;
            Assert.Equal(Enumerable.Range(0, PerThread).Select(i => first + i), sequences.Where(s => s >= first && s < first + PerThread));
        }
        Assert.True(sender.SealedBatches > 0, "no frames were sealed together");
        Assert.Equal(0, sender.QueuedBytes);
        sender.Close(CloseReason.Done, "done");
    }

    [Fact]
    public async Task ABatchOnTheWireIsItsTagAndThePlainTextFramesSealedAsOneMessage()
    {
        var first = new Ping { Sequence = 1, Timestamp = 2 };
        var second = new Ping { Sequence = 3, Timestamp = 4 };
        var (sender, wire) = SenderAndWire(s =>
        {
            s.TrySend(first);
            s.TrySend(second);
        });
        byte[] batch = Assert.Single(await FramesAsync(wire, 1));

        // Golden: ChaCha20-Poly1305 under key 01..01, nonce 0, of the plaintext 82 then both frames
        // (the same bytes as another implementation's, Python's cryptography package, gave).
        Assert.Equal(
            "3d000000" + "53354dd1ee4414c304fb698daea45b50e98b6f0fdd046dde3a86bb119c35f024147e4b875d5da9ef432b8e45b0"
                + "bac6a316f635ed77715b902de0fa9630",
            Convert.ToHexStringLower(batch));
        byte[] plaintext = new FrameCipher(AcceptorKeys()).Open(SealedPayload(batch), out int length);
        Assert.Equal([WireTags.SealedBatch, .. FrameCodec.ToFrame(first), .. FrameCodec.ToFrame(second)], plaintext.AsSpan(0, length).ToArray());
        sender.Close(CloseReason.Done, "done");
    }

    public enum Attack
    {
        None,
        FlipBit,
        Replay,
        Drop,
        Reorder,
        CutInside,
        CutAtTheEnd,
    }

    [Theory]
    [InlineData(Attack.None)]
    [InlineData(Attack.FlipBit)]
    [InlineData(Attack.Replay)]
    [InlineData(Attack.Drop)]
    [InlineData(Attack.Reorder)]
    [InlineData(Attack.CutInside)]
    [InlineData(Attack.CutAtTheEnd)]
    public async Task ATamperedBatchEndsTheConnectionAndNoneOfItsMessagesIsDelivered(Attack attack)
    {
        // The wire: a batch of pings 0-49 (queued before the start), then ping 50 sealed alone.
        const int Batched = 50;
        var (sender, wire) = SenderAndWire(s =>
        {
            for (int i = 0; i < Batched; i++) s.TrySend(new Ping { Sequence = i });
        });
        byte[] batch = Assert.Single(await FramesAsync(wire, 1));
        Assert.Equal(1, sender.SealedBatches);
        sender.TrySend(new Ping { Sequence = Batched });
        byte[] after = Assert.Single(await FramesAsync(wire, 1));
        sender.Close(CloseReason.Done, "done");

        byte[] flipped = batch.ToArray();
        flipped[batch.Length / 2] ^= 0x10;
        // One byte less, the length prefix saying so: a whole frame that is not the one sealed.
        byte[] shortened = batch[..^1];
        BinaryPrimitives.WriteUInt32LittleEndian(shortened, (uint)(shortened.Length - ProtocolLimits.FrameHeaderBytes));
        byte[] tampered = attack switch
        {
            Attack.None => [.. batch, .. after],
            Attack.FlipBit => [.. flipped, .. after],
            Attack.Replay => [.. batch, .. batch, .. after],
            Attack.Drop => after,
            Attack.Reorder => [.. after, .. batch],
            Attack.CutInside => [.. shortened, .. after],
            Attack.CutAtTheEnd => batch[..^1],
            _ => throw new ArgumentOutOfRangeException(nameof(attack)),
        };

        var (_, heard) = await ReceiveAsync(tampered);
        var close = await heard.Closed.Task;
        switch (attack)
        {
            case Attack.None:
                Assert.Equal(Enumerable.Range(0, Batched + 1).Select(i => (long)i), Sequences(heard));
                Assert.Equal(CloseReason.ClosedByPeer, close.Reason);
                break;
            case Attack.Replay:
                // The batch once, then the copy fails to open (its number is taken): nothing twice, nothing after.
                Assert.Equal(Enumerable.Range(0, Batched).Select(i => (long)i), Sequences(heard));
                Assert.Equal(CloseReason.ProtocolError, close.Reason);
                Assert.Contains("does not authenticate", close.Detail);
                break;
            case Attack.CutAtTheEnd:
                // The stream ends inside the batch: none of it was opened, so none of it is delivered.
                Assert.Empty(heard.Messages);
                Assert.Equal(CloseReason.ClosedByPeer, close.Reason);
                break;
            default:
                Assert.Empty(heard.Messages);
                Assert.Equal(CloseReason.ProtocolError, close.Reason);
                Assert.Contains("does not authenticate", close.Detail);
                break;
        }
    }

    public static TheoryData<string, string, string> MalformedBatches => new()
    {
        { "no frame", "", "sealed batch with no frame" },
        { "a length cut", "0500", "ends inside a frame's length" },
        { "an empty frame", "00000000", "empty frame in a sealed batch" },
        { "a frame cut short", "0a000000" + "0102", "sealed batch cut short" },
        { "a frame over the cap", "01001000" + "00", "over the" },
        { "a batch in a batch", "02000000" + "5200", "does not decode" },
        { "a good frame, then junk", Convert.ToHexStringLower(FrameCodec.ToFrame(new Ping { Sequence = 7 })) + "01000000" + "52", "does not decode" },
    };

    [Theory, MemberData(nameof(MalformedBatches))]
    public async Task AnAuthenticBatchThatDoesNotParseEndsTheConnectionWithNoneOfItDelivered(string what, string frames, string reason)
    {
        // Sealed with the right keys, so only the sender's own bug or malice can make it: the batch's layout is checked too.
        var sealedFrame = new ArrayBufferWriter<byte>();
        var cipher = new FrameCipher(DialerKeys());
        cipher.NewBatch().Write(Convert.FromHexString(frames));
        cipher.SealBatch(sealedFrame);

        var (_, heard) = await ReceiveAsync(sealedFrame.WrittenSpan.ToArray());
        var close = await heard.Closed.Task;
        Assert.True(close.Reason == CloseReason.ProtocolError, $"{what}: {close.Reason} {close.Detail}");
        Assert.Contains(reason, close.Detail);
        Assert.Empty(heard.Messages);
    }

    /// <summary>The wire of pings 0-4 sealed as one batch, then ping 5 sealed alone.</summary>
    private static async Task<byte[]> FiveBatchedThenOneAloneAsync()
    {
        var (sender, wire) = SenderAndWire(s =>
        {
            for (int i = 0; i < 5; i++) s.TrySend(new Ping { Sequence = i });
        });
        byte[] batch = Assert.Single(await FramesAsync(wire, 1));
        sender.TrySend(new Ping { Sequence = 5 });
        byte[] after = Assert.Single(await FramesAsync(wire, 1));
        sender.Close(CloseReason.Done, "done");
        return [.. batch, .. after];
    }

    [Fact]
    public async Task AClientThatReadsMessageByMessageGetsEveryMessageOfABatch()
    {
        // A command-line client never starts the loops: it reads with ReadAsync, one message at a time.
        byte[] wire = await FiveBatchedThenOneAloneAsync();
        var (d, a) = PipeTransport.CreatePair();
        var client = new ClusterConnection(a, false, 1 << 20);
        client.Encrypt(AcceptorKeys());
        await d.Output.WriteAsync(wire);
        using var deadline = new CancellationTokenSource(Wait);
        for (int i = 0; i < 6; i++) Assert.Equal(i, Assert.IsType<Ping>(await client.ReadAsync(deadline.Token)).Sequence);
    }

    [Fact]
    public async Task WhatAReadOfTheHandshakeLeftOfABatchIsHandedOnFirstWhenTheLoopsStart()
    {
        // A connection read message by message while it handshakes, then started: the rest of the
        // batch its last read opened comes before anything read later, in order.
        byte[] wire = await FiveBatchedThenOneAloneAsync();
        var (d, a) = PipeTransport.CreatePair();
        var receiver = new ClusterConnection(a, false, 1 << 20);
        receiver.Encrypt(AcceptorKeys());
        await d.Output.WriteAsync(wire);
        using var deadline = new CancellationTokenSource(Wait);
        Assert.Equal(0, Assert.IsType<Ping>(await receiver.ReadAsync(deadline.Token)).Sequence);
        var heard = new RecordingHandler();
        receiver.Start(heard);
        await Eventually.True(() => heard.Messages.Count == 5, Wait, "the rest of the batch, then the next frame");
        Assert.Equal([1L, 2, 3, 4, 5], Sequences(heard));
        receiver.Close(CloseReason.Done, "done");
    }
}
