using System.Text;
using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cli.Programs;
using Iridium.Cluster.Client;
using Iridium.Cluster.Protocol;
using Iridium.Files;
using Iridium.Net;

namespace Iridium.Cli.Commands;

/// <summary>
/// `iridium kv get|put|del|cas|list`: the replicated store from the shell, through any node (a voter
/// answers itself, any other node asks a voter). Keys and values given on the command line are
/// UTF-8; a value may also come from a file or standard input, any bytes. Exit 0 when done, 1 when
/// the key is absent (get, del) or does not hold the expected value (cas), 65 when the node refuses
/// the key or value (over the limits), 69 when the store is unavailable (for a write: it may or may
/// not have happened), 2 for bad usage.
/// </summary>
internal sealed class KvCommands
{
    /// <summary>Most bytes a value read from a file or standard input may have (a node takes at most its own limit, 64 KiB by default).</summary>
    private const int MaxValueBytes = 16 << 20;

    /// <summary>Print a key's value to standard output, as it is stored (exit 1 when the key does not exist).</summary>
    /// <param name="target">HOST:PORT: any node started with --store-voters.</param>
    /// <param name="key">KEY: 1 to 1,024 bytes of UTF-8.</param>
    /// <param name="stale">Answer from the voter's own copy at once, possibly behind the latest write (no leader needed).</param>
    /// <param name="timeoutMs">Give up connecting after this many milliseconds (the store itself answers within its own timeout).</param>
    [Command("kv get")]
    public async Task<int> Get(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? key = null,
        bool stale = false, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync("kv get", () => Session(context, "kv get", target, key, timeoutMs, async (client, k) =>
        {
            var answer = await client.GetAsync(k, stale).ConfigureAwait(false);
            if (answer.Status == KvStatus.Done)
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(answer.Value);
                // On a terminal the prompt starts on a line of its own.
                if (!Console.IsOutputRedirected && answer.Value is [.., not (byte)'\n']) stdout.WriteByte((byte)'\n');
            }
            return Exit("kv get", key!, answer);
        })).ConfigureAwait(false);

    /// <summary>Store a value under a key; exit 0 once a majority of the voters have it on disk.</summary>
    /// <param name="target">HOST:PORT: any node started with --store-voters.</param>
    /// <param name="key">KEY: 1 to 1,024 bytes of UTF-8.</param>
    /// <param name="value">VALUE: as UTF-8; '-' reads standard input. Default: an empty value.</param>
    /// <param name="file">Store the contents of this file instead of VALUE.</param>
    /// <param name="timeoutMs">Give up connecting after this many milliseconds.</param>
    [Command("kv put")]
    public async Task<int> Put(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? key = null,
        [Argument, HideDefaultValue] string? value = null, [HideDefaultValue] string? file = null, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync("kv put", () =>
        {
            if (value is not null && file is not null) throw CommandFailure.Usage("kv put: give the value as VALUE or with --file, not both");
            byte[] bytes = PayloadInput.Read("kv put", value, file, MaxValueBytes);
            return Session(context, "kv put", target, key, timeoutMs, async (client, k) =>
                Exit("kv put", key!, await client.PutAsync(k, bytes).ConfigureAwait(false)));
        }).ConfigureAwait(false);

    /// <summary>Delete a key (exit 1 when it did not exist).</summary>
    /// <param name="target">HOST:PORT: any node started with --store-voters.</param>
    /// <param name="key">KEY: 1 to 1,024 bytes of UTF-8.</param>
    /// <param name="timeoutMs">Give up connecting after this many milliseconds.</param>
    [Command("kv del")]
    public async Task<int> Delete(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? key = null,
        int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync("kv del", () => Session(context, "kv del", target, key, timeoutMs, async (client, k) =>
            Exit("kv del", key!, await client.DeleteAsync(k).ConfigureAwait(false)))).ConfigureAwait(false);

    /// <summary>Compare-and-set: store NEW under KEY only if KEY holds exactly OLD (--expect) or does not exist (--absent); exit 1 when it did not.</summary>
    /// <param name="target">HOST:PORT: any node started with --store-voters.</param>
    /// <param name="key">KEY: 1 to 1,024 bytes of UTF-8.</param>
    /// <param name="value">NEW: the value to store, as UTF-8.</param>
    /// <param name="expect">OLD: the value KEY must hold.</param>
    /// <param name="absent">KEY must not exist.</param>
    /// <param name="timeoutMs">Give up connecting after this many milliseconds.</param>
    [Command("kv cas")]
    public async Task<int> CompareAndSet(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? key = null,
        [Argument, HideDefaultValue] string? value = null, [HideDefaultValue] string? expect = null, bool absent = false, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync("kv cas", () =>
        {
            if ((expect is null) == !absent) throw CommandFailure.Usage("kv cas: give exactly one of --expect OLD and --absent");
            if (target is not null && key is not null && value is null) throw CommandFailure.Usage("kv cas: missing NEW, the value to store");
            return Session(context, "kv cas", target, key, timeoutMs, async (client, k) =>
            {
                var answer = await client.CompareAndSetAsync(k, expect is null ? null : Encoding.UTF8.GetBytes(expect), Encoding.UTF8.GetBytes(value!)).ConfigureAwait(false);
                return Exit("kv cas", key!, answer);
            });
        }).ConfigureAwait(false);

    /// <summary>List the keys that start with PREFIX (all keys without one), in byte order: KEY, a tab, VALUE per line.</summary>
    /// <param name="target">HOST:PORT: any node started with --store-voters.</param>
    /// <param name="prefix">PREFIX: as UTF-8. Default: every key.</param>
    /// <param name="json">Print a JSON object: entries (key, value, revision) and truncated.</param>
    /// <param name="limit">List at most this many keys (1-10000).</param>
    /// <param name="timeoutMs">Give up connecting after this many milliseconds.</param>
    [Command("kv list")]
    public async Task<int> List(ConsoleAppContext context, [Argument, HideDefaultValue] string? target = null, [Argument, HideDefaultValue] string? prefix = null,
        bool json = false, int limit = 1000, int timeoutMs = Defaults.ClientTimeoutMs)
        => await CommandBody.RunAsync("kv list", () =>
        {
            if (limit is < 1 or > 10_000) throw CommandFailure.Usage($"--limit must be between 1 and 10000, not {limit}");
            return ClusterClientSession.RunAsync(context, target, "a node of the store", timeoutMs, async client =>
            {
                var answer = await client.ListAsync(Encoding.UTF8.GetBytes(prefix ?? ""), limit).ConfigureAwait(false);
                if (answer.Status != KvStatus.Done) return Exit("kv list", prefix ?? "", answer);
                if (json)
                {
                    using var stdout = Console.OpenStandardOutput();
                    StoreFormatter.WriteListJson(stdout, answer.Entries, answer.Truncated);
                }
                else
                {
                    StoreFormatter.WriteListText(Console.Out, answer.Entries, answer.Truncated);
                }
                return ExitCodes.Ok;
            });
        }).ConfigureAwait(false);

    private static Task<int> Session(ConsoleAppContext context, string command, string? target, string? key, int timeoutMs, Func<ClusterClient, byte[], Task<int>> body)
    {
        if (target is not null && string.IsNullOrEmpty(key)) throw CommandFailure.Usage($"{command}: missing KEY");
        return ClusterClientSession.RunAsync(context, target, "a node of the store", timeoutMs, client => body(client, Encoding.UTF8.GetBytes(key!)));
    }

    /// <summary>The exit status of an answer, with a line on stderr for anything but success.</summary>
    private static int Exit(string command, string key, KvAnswer answer)
    {
        string shown = UntrustedText.Escape(key);
        (int status, string? line) = answer.Status switch
        {
            KvStatus.Done => (ExitCodes.Ok, null),
            KvStatus.NotFound => (ExitCodes.KeyAbsent, $"{command}: no key '{shown}'"),
            KvStatus.Mismatch => (ExitCodes.KeyAbsent, $"{command}: '{shown}' does not hold the expected value; nothing changed"),
            KvStatus.Invalid => (ExitCodes.InvalidProgram, answer.Message),
            _ => (ExitCodes.Unavailable, answer.Message),
        };
        if (line is not null) Console.Error.WriteLine($"iridium: {line}");
        return status;
    }
}
