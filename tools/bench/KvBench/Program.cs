using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Iridium.Cluster.Client;
using Iridium.Cluster.Protocol;

// One row of the kv benchmark against one system, as one JSON line on stdout:
//   KvBench etcd    ROW SECONDS http://127.0.0.1:P1,http://...
//   KvBench iridium ROW SECONDS 127.0.0.1:P1,127.0.0.1:P2,... COOKIE-FILE
// ROW: put1 (puts, 1 client), get1 (linearizable gets, 1 client), put64 (puts, 64 clients).
// The workload is etcd's performance guide's: 8-byte keys (a space of 10,000), 256-byte values.
// Each client holds one connection to one member (clients spread over the members in turn) and
// sends one request at a time; a get row writes its keys first. Latencies are per request. A
// request that fails (an election under load: "unavailable") is counted in "errors", not timed.
if (args.Length < 4) return Usage();
string system = args[0], row = args[1];
var seconds = TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture));
var endpoints = args[3].Split(',', StringSplitOptions.RemoveEmptyEntries);
(bool put, int clients) = row switch
{
    "put1" => (true, 1),
    "get1" => (false, 1),
    "put64" => (true, 64),
    _ => (false, 0),
};
if (clients == 0) return Usage();

const int KeySpace = 10_000;
var value = new byte[256];
new Random(42).NextBytes(value);
static byte[] Key(int i) => Encoding.ASCII.GetBytes(i.ToString("D8", CultureInfo.InvariantCulture));

Func<int, Task<IKv>> connect = system switch
{
    "etcd" => i => Task.FromResult<IKv>(new EtcdKv(endpoints[i % endpoints.Length])),
    "iridium" => async i => await IridiumKv.ConnectAsync(endpoints[i % endpoints.Length], Encoding.UTF8.GetBytes(File.ReadAllText(args[4]).Trim())),
    _ => throw new ArgumentException($"unknown system {system}"),
};

var connections = new IKv[clients];
for (int i = 0; i < clients; i++) connections[i] = await connect(i);
if (!put)
{
    for (int k = 0; k < KeySpace; k += 10) await connections[0].PutAsync(Key(k), value);
}

long errors = 0;

// Warm up (JIT, connections, the leader's caches), then measure.
await RunAsync(TimeSpan.FromSeconds(1), null);
errors = 0;
var latencies = new List<double>[clients];
for (int i = 0; i < clients; i++) latencies[i] = new List<double>(1 << 16);
var clock = Stopwatch.StartNew();
await RunAsync(seconds, latencies);
double elapsed = clock.Elapsed.TotalSeconds;

var all = latencies.SelectMany(l => l).Order().ToArray();
// -1 when nothing was answered (JSON has no NaN): the errors column says why.
double Percentile(double p) => all.Length == 0 ? -1 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["system"] = system,
    ["row"] = row,
    ["clients"] = clients,
    ["ops"] = all.Length,
    ["errors"] = errors,
    ["seconds"] = Math.Round(elapsed, 3),
    ["ops_per_s"] = Math.Round(all.Length / elapsed, 1),
    ["p50_ms"] = Math.Round(Percentile(0.50), 3),
    ["p99_ms"] = Math.Round(Percentile(0.99), 3),
}, KvBenchJson.Default.DictionaryStringObject));
return 0;

async Task RunAsync(TimeSpan duration, List<double>[]? record)
{
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        var random = new Random(c);
        while (stop.Elapsed < duration)
        {
            var key = Key(put ? random.Next(KeySpace) : random.Next(KeySpace / 10) * 10);
            long start = Stopwatch.GetTimestamp();
            try
            {
                if (put) await connections[c].PutAsync(key, value);
                else await connections[c].GetAsync(key);
                record?[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            catch (InvalidOperationException e)
            {
                // The first few reasons go to stderr: "errors" alone does not say whether it was an election or a refusal.
                if (Interlocked.Increment(ref errors) <= 3) Console.Error.WriteLine($"KvBench {system} {row}: {e.Message}");
            }
        }
    })));
}

static int Usage()
{
    Console.Error.WriteLine("usage: KvBench etcd|iridium put1|get1|put64 SECONDS ENDPOINTS [COOKIE-FILE]");
    return 2;
}

internal interface IKv
{
    Task PutAsync(byte[] key, byte[] value);

    Task GetAsync(byte[] key);
}

/// <summary>etcd v3's JSON gateway: POST /v3/kv/put and /v3/kv/range with base64 keys and values (ranges are linearizable by default).</summary>
internal sealed class EtcdKv(string endpoint) : IKv
{
    private readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1, UseProxy = false }) { BaseAddress = new Uri(endpoint) };

    public async Task PutAsync(byte[] key, byte[] value)
    {
        using var body = new StringContent($"{{\"key\":\"{Convert.ToBase64String(key)}\",\"value\":\"{Convert.ToBase64String(value)}\"}}", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/v3/kv/put", body);
        Check(response);
        await response.Content.ReadAsByteArrayAsync();
    }

    public async Task GetAsync(byte[] key)
    {
        using var body = new StringContent($"{{\"key\":\"{Convert.ToBase64String(key)}\"}}", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/v3/kv/range", body);
        Check(response);
        var text = await response.Content.ReadAsStringAsync();
        if (!text.Contains("\"kvs\"", StringComparison.Ordinal)) throw new InvalidOperationException($"etcd: no value in {text}");
    }

    private static void Check(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"etcd answered {(int)response.StatusCode}");
    }
}

/// <summary>iridium's store through its kv client calls, on one persistent authenticated connection.</summary>
internal sealed class IridiumKv(ClusterClient client) : IKv
{
    public static async Task<IridiumKv> ConnectAsync(string endpoint, byte[] cookie)
    {
        int colon = endpoint.LastIndexOf(':');
        var client = await ClusterClient.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture), cookie, TimeSpan.FromSeconds(10));
        return new IridiumKv(client);
    }

    public async Task PutAsync(byte[] key, byte[] value) => Check(await client.PutAsync(key, value));

    public async Task GetAsync(byte[] key)
    {
        var answer = await client.GetAsync(key);
        Check(answer);
    }

    private static void Check(KvAnswer answer)
    {
        if (answer.Status != KvStatus.Done) throw new InvalidOperationException($"iridium: {answer.Status} {answer.Message}");
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class KvBenchJson : System.Text.Json.Serialization.JsonSerializerContext;
