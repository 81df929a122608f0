using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Iridium.Bench.Wire;
using Iridium.Wire;

// Serialize/deserialize throughput of Iridium.Wire against System.Text.Json source-gen, same
// objects, same run. Stopwatch loops; allocation per operation from the thread's allocation
// counter. Usage: tools/bench/wire.sh [seconds-per-case]
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1.0;

var members = Enumerable.Range(0, 3).Select(i => new NodeInfo { Alias = "node-" + i, Host = "10.0.0." + i, Port = 7000 + i }).ToList();
var helloAck = new HelloAck
{
    Alias = "alpha", Host = "10.0.0.1", Port = 7000, NodeId = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef"),
    ClusterId = "iridium-prod", Epoch = 12, Sequence = 123456789, StartedAt = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
    Uptime = TimeSpan.FromHours(5.5), IsSeed = true, Role = NodeRole.Seed, Load = 0.75, Generation = 3, ProtocolVersion = 1,
    Self = members[0], Members = members,
};
var heartbeat = new Heartbeat { Sequence = 42, UnixMillis = 1_700_000_000_123 };

Console.WriteLine($"Iridium.Wire vs System.Text.Json source-gen, {seconds:0.#} s per case, .NET {Environment.Version}, {Environment.ProcessorCount} cores");
Console.WriteLine($"{"case",-34} {"ops/s",14} {"ns/op",9} {"B alloc/op",11} {"bytes",6}");
var results = new Dictionary<string, double>();
Run("HelloAck", helloAck, BenchJsonContext.Default.HelloAck);
Run("Heartbeat", heartbeat, BenchJsonContext.Default.Heartbeat);

Console.WriteLine();
foreach (var name in new[] { "HelloAck", "Heartbeat" })
{
    foreach (var op in new[] { "serialize", "deserialize" })
    {
        double ratio = results[$"{name} {op} wire"] / results[$"{name} {op} stj"];
        Console.WriteLine($"{name} {op}: Iridium.Wire is {ratio:0.0}x System.Text.Json");
    }
}

void Run<T>(string name, T value, JsonTypeInfo<T> json)
{
    var buffer = new ArrayBufferWriter<byte>(4096);
    byte[] wireBytes = WireSerializer.Serialize(value);
    byte[] jsonBytes = JsonSerializer.SerializeToUtf8Bytes(value, json);
    var jsonWriter = new Utf8JsonWriter(buffer);

    Measure($"{name} serialize wire", wireBytes.Length, () =>
    {
        buffer.ResetWrittenCount();
        WireSerializer.Serialize(buffer, value);
    });
    Measure($"{name} serialize stj", jsonBytes.Length, () =>
    {
        buffer.ResetWrittenCount();
        jsonWriter.Reset(buffer);
        JsonSerializer.Serialize(jsonWriter, value, json);
    });
    Measure($"{name} deserialize wire", wireBytes.Length, () => WireSerializer.Deserialize<T>(wireBytes));
    Measure($"{name} deserialize stj", jsonBytes.Length, () => JsonSerializer.Deserialize(jsonBytes, json));
}

void Measure(string label, int size, Action body)
{
    // Warm up (tiering, caches), then count iterations in batches until the time is up.
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed.TotalSeconds < Math.Min(0.5, seconds / 2)) body();
    const int batch = 1000;
    long iterations = 0;
    long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var sw = Stopwatch.StartNew();
    while (sw.Elapsed.TotalSeconds < seconds)
    {
        for (int i = 0; i < batch; i++) body();
        iterations += batch;
    }
    sw.Stop();
    double allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)iterations;
    double opsPerSecond = iterations / sw.Elapsed.TotalSeconds;
    results[label] = opsPerSecond;
    Console.WriteLine($"{label,-34} {opsPerSecond,14:N0} {1e9 / opsPerSecond,9:0.0} {allocated,11:0.#} {size,6}");
}
