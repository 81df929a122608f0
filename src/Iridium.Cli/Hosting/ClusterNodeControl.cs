using System.Net.Sockets;
using Iridium.Cli.Programs;
using Iridium.Cluster;
using Iridium.Cluster.Client;
using Iridium.Repl.Cluster;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The REPL's cluster commands over <see cref="ClusterNode"/>. The node is created on first use, so
/// a REPL that never touches the cluster never loads the cookie or binds a port; a failure to create
/// it (no cookie, bad alias) becomes the command's reply instead of an exception.
/// </summary>
/// <remarks>
/// <c>!exec</c>, <c>!ps</c>, <c>!kill</c> and <c>!logs</c> are requests of an in-process client
/// of the node (<see cref="ClusterNode.OpenInProcessClient"/>): the same requests, routing, credit
/// and cancellation as `iridium exec` and the others, and the same records back, without a
/// connection to the node's own listener (no handshake, and nothing depends on which address the
/// listener is bound to).
/// </remarks>
internal sealed class ClusterNodeControl(Func<ClusterNode> createNode) : IClusterControl, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private ClusterNode? _node;

    public async Task<ClusterReply> StartAsync(CancellationToken cancellation)
    {
        if (!TryGetNode(out var node, out var failure)) return failure!;
        if (node.IsListening) return new ClusterReply(true, $"the cluster server is already listening on port {node.AdvertisedPort}");
        try
        {
            await node.StartAsync(cancellation).ConfigureAwait(false);
            return new ClusterReply(true, $"Started cluster server! ({node.Alias} on port {node.AdvertisedPort})");
        }
        catch (Exception e) when (e is SocketException or IOException or ArgumentException or InvalidOperationException)
        {
            return new ClusterReply(false, $"could not start the cluster server: {e.Message}");
        }
    }

    public async Task<ClusterReply> JoinAsync(string host, int port, CancellationToken cancellation)
    {
        if (!TryGetNode(out var node, out var failure)) return failure!;
        var result = await node.JoinAsync(host, port, cancellation).ConfigureAwait(false);
        return new ClusterReply(result.Success, result.Message);
    }

    public IReadOnlyList<string> MembersTable()
    {
        ClusterNode? node;
        lock (_gate) node = _node;
        if (node is null) return [];
        // The same table as `iridium members`.
        var text = new StringWriter();
        MembersFormatter.WriteText(text, node.Members);
        return text.ToString().TrimEnd('\n').Split('\n');
    }

    public async Task<ClusterReply> ExecAsync(string target, string program, byte[] image, Action<string> output, CancellationToken cancellation)
        => await WithClientAsync(async client =>
        {
            // 'all' as `iridium exec --on all` has it: every up member, each line prefixed [alias].
            var targets = await ExecTargets.ResolveAsync(client, target).ConfigureAwait(false);
            var writer = new ExecOutputWriter(Utf8Text(output), () => { }, prefixed: target == ExecTargets.All, targets.Count);
            var results = await client.ExecAsync(targets, new ExecSpec(program, image, null, false), writer.Write, cancellation).ConfigureAwait(false);
            writer.Finish(results);
            var replies = results.Select(result => ReplyOf(result, target == ExecTargets.All)).ToArray();
            return new ClusterReply(replies.All(r => r.Success), string.Join("\n", replies.Select(r => r.Message)));
        }).ConfigureAwait(false);

    /// <summary>How one target's run ended, in words; a message that names the process already is not prefixed with it again.</summary>
    private static ClusterReply ReplyOf(ExecResult result, bool prefixed)
    {
        string where = result.ProcessId ?? result.Target;
        string tag = prefixed ? $"[{result.Alias ?? result.Target}] " : "";
        if (result.End == ExecEnd.Stopped) return new ClusterReply(true, $"{tag}{where} stopped with code {result.Code} after {result.Steps} steps");
        string message = result.Message ?? result.End.ToString().ToLowerInvariant();
        return new ClusterReply(false, tag + (message.StartsWith(where + " ", StringComparison.Ordinal) ? message : $"{where}: {message}"));
    }

    public async Task<IReadOnlyList<string>> ProcessesAsync(CancellationToken cancellation)
    {
        IReadOnlyList<string> rows = [];
        var reply = await WithClientAsync(async client =>
        {
            var text = new StringWriter();
            ProcessesFormatter.WriteText(text, await client.ProcessesAsync(cancellation).ConfigureAwait(false));
            rows = text.ToString().TrimEnd('\n').Split('\n');
            return new ClusterReply(true, "");
        }).ConfigureAwait(false);
        return reply.Success ? rows : [reply.Message];
    }

    public Task<ClusterReply> KillAsync(string processId, bool group, CancellationToken cancellation)
        => WithClientAsync(async client =>
        {
            var (found, message) = group
                ? await client.KillGroupAsync(processId, cancellation).ConfigureAwait(false)
                : await client.KillAsync(processId, cancellation).ConfigureAwait(false);
            return new ClusterReply(found, message);
        });

    public Task<ClusterReply> LogsAsync(string rootId, bool follow, Action<string> output, CancellationToken cancellation)
        => WithClientAsync(async client =>
        {
            try
            {
                var result = await client.LogsAsync(rootId, follow, Utf8Text(output), cancellation).ConfigureAwait(false);
                return new ClusterReply(result.Found, result.Message);
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // Ctrl-C stops following; the group runs on, as with `iridium logs --follow`.
                return new ClusterReply(true, $"stopped following {rootId}; it runs on");
            }
        });

    /// <summary>Remote output as text for the REPL: a character split across two chunks waits for the second.</summary>
    private static Action<ReadOnlySpan<byte>> Utf8Text(Action<string> output)
    {
        var decoder = System.Text.Encoding.UTF8.GetDecoder();
        return bytes =>
        {
            var text = new char[System.Text.Encoding.UTF8.GetMaxCharCount(bytes.Length)];
            int n = decoder.GetChars(bytes, text, flush: false);
            if (n > 0) output(new string(text, 0, n));
        };
    }

    /// <summary>Runs <paramref name="work"/> with an in-process client of this node; a failure (no cluster, no client slot) is the reply.</summary>
    private async Task<ClusterReply> WithClientAsync(Func<ClusterClient, Task<ClusterReply>> work)
    {
        ClusterNode? node;
        lock (_gate) node = _node;
        if (node is not { IsListening: true }) return new ClusterReply(false, "this node is not in a cluster (start with !start_cluster or !join_cluster HOST PORT)");
        try
        {
            await using var client = node.OpenInProcessClient("repl", TimeSpan.FromMilliseconds(Defaults.ClientTimeoutMs));
            return await work(client).ConfigureAwait(false);
        }
        catch (ClusterClientException e)
        {
            return new ClusterReply(false, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        ClusterNode? node;
        lock (_gate) node = _node;
        if (node is not null) await node.DisposeAsync().ConfigureAwait(false);
    }

    private bool TryGetNode(out ClusterNode node, out ClusterReply? failure)
    {
        failure = null;
        lock (_gate)
        {
            try
            {
                _node ??= createNode();
            }
            catch (Exception e) when (e is CommandFailure or ArgumentException or IOException)
            {
                failure = new ClusterReply(false, $"cluster not available: {e.Message}");
            }
            node = _node!;
        }
        return failure is null;
    }
}
