using System.Collections.Concurrent;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;

namespace Iridium.Cluster.Tests.Connections;

public class ConnectionTests
{
    private sealed class Recorder : IConnectionHandler
    {
        public ConcurrentQueue<IClusterMessage> Messages { get; } = new();
        public TaskCompletionSource<string> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnMessage(ClusterConnection connection, IClusterMessage message) => Messages.Enqueue(message);

        public void OnClosed(ClusterConnection connection, string reason) => Closed.TrySetResult(reason);
    }

    [Fact]
    public async Task QueuedMessagesArriveInOrder()
    {
        var (d, a) = PipeTransport.CreatePair();
        var sender = new ClusterConnection(d, true, 1 << 20);
        var receiver = new ClusterConnection(a, false, 1 << 20);
        var recorder = new Recorder();
        sender.Start(new Recorder());
        receiver.Start(recorder);

        for (int i = 0; i < 20_000; i++) await sender.SendAsync(new Ping { Sequence = i });
        await Eventually.True(() => recorder.Messages.Count == 20_000, TimeSpan.FromSeconds(10), "all pings");
        Assert.Equal(Enumerable.Range(0, 20_000).Select(i => (long)i), recorder.Messages.Cast<Ping>().Select(p => p.Sequence));
        sender.Close("done");
        Assert.Equal("connection closed by peer", await recorder.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AMalformedFrameClosesTheConnectionWithAReason()
    {
        var (d, a) = PipeTransport.CreatePair();
        var receiver = new ClusterConnection(a, false, 1 << 20);
        var recorder = new Recorder();
        receiver.Start(recorder);
        await d.Output.WriteAsync(FrameCodec.ToFrame(new Ping { Sequence = 1 }));
        await d.Output.WriteAsync(new byte[] { 2, 0, 0, 0, 0xFE, 0xFE });
        string reason = await recorder.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.StartsWith("protocol error", reason);
        Assert.Single(recorder.Messages);
    }

    [Fact]
    public async Task AnOverCapFrameClosesTheConnection()
    {
        var (d, a) = PipeTransport.CreatePair();
        var receiver = new ClusterConnection(a, false, ProtocolLimits.MinFrameBytes);
        var recorder = new Recorder();
        receiver.Start(recorder);
        await d.Output.WriteAsync(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F });
        Assert.Contains("cap", await recorder.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AGracefulCloseDeliversWhatWasQueued()
    {
        var (d, a) = PipeTransport.CreatePair();
        var sender = new ClusterConnection(d, true, 1 << 20);
        var receiver = new ClusterConnection(a, false, 1 << 20);
        var recorder = new Recorder();
        sender.Start(new Recorder());
        receiver.Start(recorder);
        sender.TrySend(new Leave { Reason = "bye" });
        var closing = sender.CloseGracefullyAsync("left", TimeSpan.FromSeconds(2));
        await recorder.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await closing;
        Assert.Equal("bye", Assert.IsType<Leave>(Assert.Single(recorder.Messages)).Reason);
    }
}
