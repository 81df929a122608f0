using System.Diagnostics;
using System.Text;
using Iridium.Cluster;
using Iridium.Cluster.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

// Two nodes in this process, connected over 127.0.0.1. Usage: ClusterBench [messages] [body-bytes] [pings]
int messages = args.Length > 0 ? int.Parse(args[0]) : 2_000_000;
int bodyBytes = args.Length > 1 ? int.Parse(args[1]) : 16;
int pings = args.Length > 2 ? int.Parse(args[2]) : 20_000;

var cookie = Encoding.UTF8.GetBytes("bench");
ClusterOptions Options(string alias) => new()
{
    Alias = alias,
    BindHost = "127.0.0.1",
    BindPort = 0,
    Cookie = cookie,
    HeartbeatInterval = TimeSpan.FromSeconds(1),
    FailureTimeout = TimeSpan.FromSeconds(30),
    MaxFrameBytes = 1 << 20,
    DownRetention = TimeSpan.FromSeconds(60),
};
await using var receiver = new ClusterNode(Options("receiver"), NullLoggerFactory.Instance);
await using var sender = new ClusterNode(Options("sender"), NullLoggerFactory.Instance);
await receiver.StartAsync();
var joined = await sender.JoinAsync("127.0.0.1", receiver.AdvertisedPort);
if (!joined.Success) throw new InvalidOperationException(joined.Message);

long received = 0;
var allReceived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
receiver.MessageReceived += (_, message) =>
{
    if (message is Data && Interlocked.Increment(ref received) == messages) allReceived.TrySetResult();
};

// Warm up (JIT, buffers), then measure one-way pipelined throughput.
var body = new byte[bodyBytes];
for (int i = 0; i < 50_000; i++) await sender.SendAsync(receiver.NodeId, new Data { Body = body });
while (Interlocked.Read(ref received) < 50_000) await Task.Delay(1);
Interlocked.Exchange(ref received, 0);

var clock = Stopwatch.StartNew();
var message = new Data { Body = body };
for (int i = 0; i < messages; i++)
{
    if (!await sender.SendAsync(receiver.NodeId, message)) throw new InvalidOperationException("peer gone");
}
await allReceived.Task.WaitAsync(TimeSpan.FromMinutes(2));
double seconds = clock.Elapsed.TotalSeconds;
int frameBytes = FrameCodec.ToFrame(message).Length;
Console.WriteLine($"throughput: {messages:N0} messages ({frameBytes} bytes framed) in {seconds:0.000} s = {messages / seconds:N0} msg/s ({messages * (double)frameBytes / seconds / 1e6:0.0} MB/s)");

// Round trips: one Ping outstanding at a time.
var pong = new SemaphoreSlim(0);
sender.MessageReceived += (_, m) => { if (m is Pong) pong.Release(); };
var samples = new double[pings];
for (int i = 0; i < pings; i++)
{
    long start = Stopwatch.GetTimestamp();
    sender.TrySend(receiver.NodeId, new Ping { Sequence = i, Timestamp = start });
    await pong.WaitAsync();
    samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
}
Array.Sort(samples);
Console.WriteLine($"round trip: {pings:N0} pings, median {samples[pings / 2]:0} us, p99 {samples[(int)(pings * 0.99)]:0} us, min {samples[0]:0} us");
