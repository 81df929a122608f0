using System.Globalization;
using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Commands;

/// <summary>
/// `iridium ping HOST:PORT`: is the node up, does it accept our cookie, and how long does a round
/// trip take. With <c>--size</c> each probe first carries that many bytes of application data, to
/// see what a payload costs.
/// </summary>
internal sealed class PingCommand
{
    private const int MaxPayloadBytes = 1_000_000;

    /// <summary>Measure round trips to a cluster node over an authenticated connection; exit 69 when it does not answer, 77 when it refuses the cookie.</summary>
    /// <param name="target">HOST:PORT: the node's cluster address.</param>
    /// <param name="count">-c, Round trips to make.</param>
    /// <param name="size">-s, Bytes of application data each probe carries to the node first (0 to 1000000).</param>
    /// <param name="timeoutMs">Give up on the node after this many milliseconds without an answer.</param>
    [Command(CommandRouter.Ping)]
    public async Task<int> Ping(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, int count = Defaults.PingCount, int size = 0, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync(CommandRouter.Ping, async () =>
        {
            // HOST:PORT is checked here too, so usage errors keep their order (address, count, size, timeout) and the reply line can name it.
            var (host, port) = FlagRules.Address(target, "the node to ping");
            if (count < 1) throw CommandFailure.Usage($"--count must be at least 1, not {count}");
            if (size is < 0 or > MaxPayloadBytes) throw CommandFailure.Usage($"--size must be from 0 to {MaxPayloadBytes}, not {size}");
            return await ClusterClientSession.RunAsync(context, target, "the node to ping", timeoutMs, async client =>
            {
                var times = new List<double>();
                for (int sequence = 1; sequence <= count; sequence++)
                {
                    double ms = (await client.PingAsync(sequence, size).ConfigureAwait(false)).TotalMilliseconds;
                    times.Add(ms);
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reply from {client.NodeAlias} ({host}:{port}): seq={sequence} bytes={size} time={ms:0.000} ms"));
                }
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} replies; round trip min/avg/max = {times.Min():0.000}/{times.Average():0.000}/{times.Max():0.000} ms"));
                return ExitCodes.Ok;
            }).ConfigureAwait(false);
        }).ConfigureAwait(false);
}
