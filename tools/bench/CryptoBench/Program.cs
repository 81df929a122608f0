using System.Buffers;
using System.Diagnostics;
using Iridium.Crypto;

// Seal+open MB/s per cipher and message size on one thread, then the handshake's cost: what one
// connection's send and read loops pay per frame, and what a client pays per connection.
// Arguments: [seconds per measurement, default 1].
// Or: one cipher and size for a fixed number of megabytes, to count cycles with `perf stat` on a
// machine too busy for wall-clock rates: seal-open AesGcm|ChaChaPoly BYTES MEGABYTES.
if (args.Length == 4 && args[0] == "seal-open")
{
    var only = Enum.Parse<CipherChoice>(args[1]);
    int bytes = int.Parse(args[2]);
    long total = long.Parse(args[3]) << 20;
    var (onlyRate, onlyMicros, onlyCpuRate) = SealOpen(only, bytes, seconds: 0, messages: Math.Max(1, total / bytes));
    Console.WriteLine($"{only} {bytes} B: {onlyRate:F0} MB/s, {onlyMicros:F2} µs/msg, {onlyCpuRate:F0} MB per CPU second");
    return 0;
}
if (args.Length == 2 && args[0] == "handshakes")
{
    int count = int.Parse(args[1]);
    var (i, r) = Handshakes(CipherChoices.Preferred, seconds: 0, count);
    Console.WriteLine($"initiator {i:F3} ms  responder {r:F3} ms");
    return 0;
}
if (args.Length == 2 && args[0] == "x25519")
{
    int count = int.Parse(args[1]);
    var scalar = SecureRandom.Bytes(32);
    var point = new byte[32];
    byte[] basePoint = [9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    Measure("X25519 ladder (k, 9)", count, () => Org.BouncyCastle.Math.EC.Rfc7748.X25519.ScalarMult(scalar, 0, basePoint, 0, point, 0));
    Measure("X25519 ScalarMultBase (first: table)", 1, () => Org.BouncyCastle.Math.EC.Rfc7748.X25519.ScalarMultBase(scalar, 0, point, 0));
    Measure("X25519 ScalarMultBase", count, () => Org.BouncyCastle.Math.EC.Rfc7748.X25519.ScalarMultBase(scalar, 0, point, 0));
    var psk = CookieKey.PreSharedKey("bench cookie"u8);
    Measure("handshake both sides", count, () =>
    {
        var initiator = NoiseHandshake.Initiator(CipherChoices.Preferred, psk, "p"u8);
        var responder = NoiseHandshake.Responder(CipherChoices.Preferred, psk, "p"u8);
        responder.ReadFirst(initiator.WriteFirst([]));
        initiator.ReadSecond(responder.WriteSecond([]));
        initiator.Split();
        responder.Split();
    });
    return 0;
}
double seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1.0;
int[] sizes = [64, 1024, 16 * 1024, 256 * 1024];

Console.WriteLine($"AES-NI {System.Runtime.Intrinsics.X86.Aes.IsSupported}, PCLMULQDQ {System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported}, AVX2 {System.Runtime.Intrinsics.X86.Avx2.IsSupported}; preferred {CipherChoices.Preferred}");
Console.WriteLine("seal+open, one thread (MB/s of plaintext, wall clock and per CPU second; µs per message)");
Console.WriteLine($"{"cipher",-11}{"bytes",9}{"MB/s",10}{"MB/cpu-s",10}{"µs/msg",10}");
foreach (var cipher in new[] { CipherChoice.AesGcm, CipherChoice.ChaChaPoly })
{
    foreach (int size in sizes)
    {
        var (mbps, micros, cpuMbps) = SealOpen(cipher, size, seconds);
        Console.WriteLine($"{cipher,-11}{size,9}{mbps,10:F0}{cpuMbps,10:F0}{micros,10:F2}");
    }
}

Console.WriteLine("handshake, both sides in one thread (NNpsk0, two messages, Split)");
foreach (var cipher in new[] { CipherChoice.AesGcm, CipherChoice.ChaChaPoly })
{
    var (initiator, responder) = Handshakes(cipher, seconds);
    Console.WriteLine($"{cipher,-11} initiator {initiator,7:F3} ms  responder {responder,7:F3} ms");
}
return 0;

static (double MBps, double Micros, double CpuMBps) SealOpen(CipherChoice cipher, int size, double seconds, long messages = 0)
{
    var key = new byte[CipherState.KeyBytes];
    SecureRandom.Fill(key);
    var seal = new CipherState(cipher);
    var open = new CipherState(cipher);
    seal.InitializeKey(key);
    open.InitializeKey(key);
    var plaintext = new byte[size];
    SecureRandom.Fill(plaintext);
    var sealedBytes = new byte[size + CipherState.TagBytes];
    var opened = new byte[size];

    void One()
    {
        seal.Encrypt([], plaintext, [], sealedBytes);
        open.Decrypt([], new ReadOnlySequence<byte>(sealedBytes), opened);
    }

    for (int i = 0; i < 50; i++) One();
    if (!opened.AsSpan().SequenceEqual(plaintext)) throw new InvalidOperationException("round trip differs");
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    if (messages > 0)
    {
        for (long i = 0; i < messages; i++) One();
    }
    else
    {
        int batch = Math.Max(1, (1 << 20) / size);
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < batch; i++) One();
            messages += batch;
        }
    }
    double elapsed = clock.Elapsed.TotalSeconds;
    double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
    return (messages * (double)size / elapsed / 1e6, elapsed * 1e6 / messages, messages * (double)size / cpuSeconds / 1e6);
}

static (double InitiatorMs, double ResponderMs) Handshakes(CipherChoice cipher, double seconds, int minimum = 20)
{
    var psk = CookieKey.PreSharedKey("bench cookie"u8);
    byte[] prologue = "bench"u8.ToArray();
    var initiatorTime = new Stopwatch();
    var responderTime = new Stopwatch();
    int count = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds || count < minimum)
    {
        initiatorTime.Start();
        var initiator = NoiseHandshake.Initiator(cipher, psk, prologue);
        var first = initiator.WriteFirst([]);
        initiatorTime.Stop();
        responderTime.Start();
        var responder = NoiseHandshake.Responder(cipher, psk, prologue);
        responder.ReadFirst(first);
        var second = responder.WriteSecond([]);
        responder.Split();
        responderTime.Stop();
        initiatorTime.Start();
        initiator.ReadSecond(second);
        initiator.Split();
        initiatorTime.Stop();
        count++;
    }
    return (initiatorTime.Elapsed.TotalMilliseconds / count, responderTime.Elapsed.TotalMilliseconds / count);
}

static void Measure(string what, int count, Action action)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var wall = Stopwatch.StartNew();
    for (int i = 0; i < count; i++) action();
    double wallMs = wall.Elapsed.TotalMilliseconds / count;
    double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / count;
    Console.WriteLine($"{what,-40} {cpuMs,8:F4} ms CPU {wallMs,8:F4} ms wall (x{count})");
}
