using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;
using Iridium.Crypto;

namespace Iridium.Cluster.Tests.Connections;

public class ConnectionTests
{
    /// <summary>Both ends encrypted, as members are: each frame sealed with the next number of its direction.</summary>
    private static void Encrypt(ClusterConnection dialer, ClusterConnection acceptor)
    {
        static CipherState Keyed(byte fill)
        {
            var state = new CipherState(CipherChoice.ChaChaPoly);
            state.InitializeKey(Enumerable.Repeat(fill, CipherState.KeyBytes).ToArray());
            return state;
        }
        dialer.Encrypt(new TransportKeys(Keyed(1), Keyed(2), []));
        acceptor.Encrypt(new TransportKeys(Keyed(2), Keyed(1), []));
    }

    /// <summary>An encrypted pair, both ends started: the receiver's messages are recorded.</summary>
    private static (ClusterConnection Sender, ClusterConnection Receiver, RecordingHandler Heard) StartedEncryptedPair(long queueBytes)
    {
        var (d, a) = PipeTransport.CreatePair();
        var sender = new ClusterConnection(d, true, 1 << 20);
        var receiver = new ClusterConnection(a, false, 1 << 20);
        Encrypt(sender, receiver);
        var heard = new RecordingHandler();
        sender.Start(new RecordingHandler(), queueBytes: queueBytes);
        receiver.Start(heard);
        return (sender, receiver, heard);
    }

    /// <summary>Runs <paramref name="body"/>(thread number) on that many threads, released together.</summary>
    private static async Task AllAtOnceAsync(int threads, Action<int> body)
    {
        using var together = new Barrier(threads);
        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            together.SignalAndWait();
            body(t);
        }, TaskCreationOptions.LongRunning)));
    }

    [Fact]
    public async Task QueuedMessagesArriveInOrder()
    {
        var (d, a) = PipeTransport.CreatePair();
        var sender = new ClusterConnection(d, true, 1 << 20);
        var receiver = new ClusterConnection(a, false, 1 << 20);
        var recorder = new RecordingHandler();
        sender.Start(new RecordingHandler());
        receiver.Start(recorder);

        for (int i = 0; i < 20_000; i++) await sender.SendAsync(new Ping { Sequence = i });
        await Eventually.True(() => recorder.Messages.Count == 20_000, TimeSpan.FromSeconds(10), "all pings");
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => (long)i), recorder.Messages.Cast<Ping>().Select(p => p.Sequence));
        sender.Close(CloseReason.Done, "done");
        var close = await recorder.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(CloseReason.ClosedByPeer, close.Reason);
        Assert.Equal("connection closed by peer", close.Detail);
    }

    [Fact]
    public async Task FramesQueuedFromManyThreadsAtOnceAllArriveEachInItsSendersOrder()
    {
        // Whoever queues a frame while nobody writes becomes the writer; the others leave their
        // frames to it. A frame queued just as the writer lets go must still be written by one of them,
        // and frames are sealed in the order they go on the wire (or the receiver's next fails to open).
        const int Threads = 4, PerThread = 5_000;
        var (sender, receiver, recorder) = StartedEncryptedPair(queueBytes: 64 << 20);
        await AllAtOnceAsync(Threads, t =>
        {
            for (int i = 0; i < PerThread; i++) Assert.True(sender.TrySend(new Ping { Sequence = t * 1_000_000L + i }));
        }).WaitAsync(TimeSpan.FromSeconds(30));

        await Eventually.True(() => recorder.Messages.Count == Threads * PerThread || receiver.Closing is not null, TimeSpan.FromSeconds(30), "every ping");
        Assert.Null(receiver.Closing);
        var sequences = recorder.Messages.Cast<Ping>().Select(p => p.Sequence).ToList();
        for (int t = 0; t < Threads; t++)
        {
            long first = t * 1_000_000L;
            Assert.Equal(Enumerable.Range(0, PerThread).Select(i => first + i), sequences.Where(s => s >= first && s < first + PerThread));
        }
        Assert.Equal(0, sender.QueuedBytes);
        sender.Close(CloseReason.Done, "done");
    }

    [Fact]
    public async Task LargeSealedFramesHandedToTheThreadPoolStillArriveInOrderAmongSmallOnes()
    {
        // Output chunks of 32 KiB are sealed off the thread that queues them (a thread-pool
        // writer), pings at once by their sender: the wire must still carry every frame once,
        // each thread's in its order, each sealed with the next number (or the receiver closes).
        const int Threads = 3, PerThread = 400, ChunkBytes = 32 * 1024;
        var (sender, receiver, recorder) = StartedEncryptedPair(queueBytes: 256 << 20);
        await AllAtOnceAsync(Threads, t =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                long id = t * 1_000_000L + i;
                var bytes = new byte[ChunkBytes];
                BitConverter.TryWriteBytes(bytes, id);
                Assert.True(i % 2 == 0 ? sender.TrySend(OutputChunk.Of(id, bytes, null)) : sender.TrySend(new Ping { Sequence = id }));
            }
        }).WaitAsync(TimeSpan.FromSeconds(60));

        await Eventually.True(() => recorder.Messages.Count == Threads * PerThread || receiver.Closing is not null, TimeSpan.FromSeconds(60), "every frame");
        Assert.Null(receiver.Closing);
        var ids = recorder.Messages.Select(m => m switch
        {
            OutputChunk chunk when chunk.Length == ChunkBytes && BitConverter.ToInt64(chunk.Bytes) == chunk.RequestId => chunk.RequestId,
            Ping ping => ping.Sequence,
            _ => -1,
        }).ToList();
        Assert.DoesNotContain(-1L, ids);
        for (int t = 0; t < Threads; t++)
        {
            long first = t * 1_000_000L;
            Assert.Equal(Enumerable.Range(0, PerThread).Select(i => first + i), ids.Where(s => s >= first && s < first + PerThread));
        }
        await Eventually.True(() => sender.QueuedBytes == 0, TimeSpan.FromSeconds(30), "the queue drained");
        sender.Close(CloseReason.Done, "done");
    }

    [Fact]
    public async Task ACloseFromAnotherThreadNeverDisposesTheOutputUnderAFrameBeingSealed()
    {
        // The writer seals frames on its thread while Close comes from another (a Leave, a lost
        // peer, node disposal): Close must leave the transport to the writer, which disposes it
        // after its frame. Disposing under the frame returned the pipe's buffer to the pool mid-write.
        const int Rounds = 200;
        for (int round = 0; round < Rounds; round++)
        {
            var (d, a) = PipeTransport.CreatePair();
            var guarded = new GuardedOutputTransport(d);
            var sender = new ClusterConnection(guarded, true, 1 << 20);
            var receiver = new ClusterConnection(a, false, 1 << 20);
            Encrypt(sender, receiver);
            sender.Start(new RecordingHandler(), queueBytes: 64 << 20);
            receiver.Start(new RecordingHandler());
            using var writing = new ManualResetEventSlim();
            var flood = Task.Factory.StartNew(() =>
            {
                for (int i = 0; sender.TrySend(new Ping { Sequence = i }); i++)
                {
                    if (i == round % 50) writing.Set();
                }
                writing.Set();
            }, TaskCreationOptions.LongRunning);
            Assert.True(writing.Wait(TimeSpan.FromSeconds(30)), "the flood started");
            sender.Close(CloseReason.Done, "done");
            await sender.Closed.WaitAsync(TimeSpan.FromSeconds(30));
            await flood.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, guarded.Violations);
            Assert.Equal(CloseReason.Done, sender.Closing!.Reason);
            Assert.Equal(0, sender.QueuedBytes);
            receiver.Close(CloseReason.Done, "done");
        }
    }

    [Fact]
    public async Task TwoFramesThatArriveTogetherAreReadOneAfterTheOtherWithoutMoreBytes()
    {
        // A node answers `members` with two frames at once (the view, then the down details).
        var (d, a) = PipeTransport.CreatePair();
        var reader = new ClusterConnection(a, false, 1 << 20);
        byte[] both = [.. FrameCodec.ToFrame(new Ping { Sequence = 1 }), .. FrameCodec.ToFrame(new Ping { Sequence = 2 })];
        await d.Output.WriteAsync(both);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Equal(1, Assert.IsType<Ping>(await reader.ReadAsync(timeout.Token)).Sequence);
        Assert.Equal(2, Assert.IsType<Ping>(await reader.ReadAsync(timeout.Token)).Sequence);
    }

    [Fact]
    public async Task AMalformedFrameClosesTheConnectionWithAReason()
    {
        var (d, a) = PipeTransport.CreatePair();
        var receiver = new ClusterConnection(a, false, 1 << 20);
        var recorder = new RecordingHandler();
        receiver.Start(recorder);
        await d.Output.WriteAsync(FrameCodec.ToFrame(new Ping { Sequence = 1 }));
        await d.Output.WriteAsync(new byte[] { 2, 0, 0, 0, 0xFE, 0xFE });
        var close = await recorder.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(CloseReason.ProtocolError, close.Reason);
        Assert.True(close.IsFault);
        Assert.StartsWith("protocol error", close.Detail);
        Assert.Single(recorder.Messages);
    }

    [Fact]
    public async Task AnOverCapFrameClosesTheConnection()
    {
        var (d, a) = PipeTransport.CreatePair();
        var receiver = new ClusterConnection(a, false, ProtocolLimits.MinFrameBytes);
        var recorder = new RecordingHandler();
        receiver.Start(recorder);
        await d.Output.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F });
        var close = await recorder.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(CloseReason.ProtocolError, close.Reason);
        Assert.Contains("cap", close.Detail);
    }

    [Fact]
    public async Task AGracefulCloseDeliversWhatWasQueued()
    {
        var (d, a) = PipeTransport.CreatePair();
        var sender = new ClusterConnection(d, true, 1 << 20);
        var receiver = new ClusterConnection(a, false, 1 << 20);
        var recorder = new RecordingHandler();
        sender.Start(new RecordingHandler());
        receiver.Start(recorder);
        sender.TrySend(new Leave { Reason = "bye" });
        var closing = sender.CloseGracefullyAsync(CloseReason.Leaving, "left", TimeSpan.FromSeconds(2));
        await recorder.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await closing;
        Assert.Equal("bye", Assert.IsType<Leave>(Assert.Single(recorder.Messages)).Reason);
    }
}
