using Iridium.Cluster.Connections;
using Iridium.Cluster.Exec;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Client;

/// <summary>
/// The client's side of `iridium exec` on one connection: one request per target, output handed
/// to the caller as it arrives and acknowledged (credit) only once the caller has written it, so
/// a slow reader slows the remote program. Ctrl-C (<c>interrupt</c>) cancels every request and
/// waits briefly for the node to confirm.
/// </summary>
internal sealed class ExecStreams(ClusterConnection connection, string endpoint)
{
    /// <summary>How long after Ctrl-C the client waits for the node to confirm the stop.</summary>
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>The request for each target, numbered from 1 in order: what <see cref="RunAsync"/> sends, or finds sent already.</summary>
    public static IReadOnlyList<IClusterMessage> Requests(IReadOnlyList<string> targets, ExecSpec spec)
    {
        var requests = new IClusterMessage[targets.Count];
        for (int i = 0; i < targets.Count; i++)
        {
            requests[i] = new ExecRequest
            {
                RequestId = i + 1,
                Target = targets[i],
                Program = spec.Program,
                Image = spec.Image,
                MaxSteps = spec.MaxSteps ?? -1,
                Window = ExecFraming.DefaultWindow,
                WantState = spec.WantState,
                Detach = spec.Detach,
            };
        }
        return requests;
    }

    /// <summary>
    /// Runs <paramref name="spec"/> on <paramref name="targets"/> and reads until each has ended.
    /// <paramref name="sent"/>: the <see cref="Requests"/> went out already, behind the handshake's Proof.
    /// </summary>
    public async Task<IReadOnlyList<ExecResult>> RunAsync(IReadOnlyList<string> targets, ExecSpec spec, Action<int, string?, ReadOnlySpan<byte>> output, CancellationToken interrupt, bool sent = false)
    {
        var open = new Dictionary<long, Stream>();
        for (int i = 0; i < targets.Count; i++) open[i + 1] = new Stream(targets[i]);
        if (!sent)
        {
            foreach (var request in Requests(targets, spec)) await WriteAsync(request, CancellationToken.None).ConfigureAwait(false);
        }

        var results = new ExecResult?[targets.Count];
        bool answered = false;
        using var grace = new CancellationTokenSource();
        using var onInterrupt = interrupt.Register(() =>
        {
            grace.CancelAfter(InterruptGrace);
            _ = CancelAllAsync(open.Keys.ToArray());
        });
        try
        {
            while (results.Any(r => r is null))
            {
                var message = await connection.ReadAsync(grace.Token).ConfigureAwait(false);
                if (message is null) break;
                if (message is not IExecMessage { RequestId: > 0 } exec || exec.RequestId > targets.Count) continue;
                answered = true;
                int index = (int)exec.RequestId - 1;
                var stream = open[exec.RequestId];
                switch (exec)
                {
                    case ExecStarted started:
                        stream.Alias = started.Alias;
                        stream.ProcessId = started.ProcessId;
                        // Detached: its start is all this client hears of it.
                        if (spec.Detach) results[index] ??= new ExecResult(stream.Target, stream.Alias, stream.ProcessId, ExecEnd.Detached, 0, null, null, 0);
                        break;
                    case OutputChunk received:
                        int length = received.Bytes.Length;
                        output(index, stream.Alias, received.Bytes);
                        received.Release();
                        // Credit for each chunk once it is written. Not batched: a relaying node
                        // may grant the program a smaller window than this client did (so that
                        // chunks fit its frames), and a batch larger than that window would
                        // never be sent. Chunks are large, so this is a small frame per chunk.
                        if (length > 0) await WriteAsync(new ExecCredit { RequestId = exec.RequestId, Bytes = length }, CancellationToken.None).ConfigureAwait(false);
                        break;
                    case ExecExit exit:
                        results[index] ??= new ExecResult(stream.Target, stream.Alias, stream.ProcessId, ToEnd(exit.Outcome), exit.Code, exit.Message, exit.StateJson, exit.Steps);
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ProtocolException or InvalidOperationException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Interrupted and not confirmed in time, or the connection failed: settled below.
        }
        for (int i = 0; i < results.Length; i++)
        {
            var stream = open[i + 1];
            results[i] ??= interrupt.IsCancellationRequested
                ? new ExecResult(stream.Target, stream.Alias, stream.ProcessId, ExecEnd.Interrupted, 0, null, null, 0)
                : new ExecResult(stream.Target, stream.Alias, stream.ProcessId, ExecEnd.NodeLost, 0, answered
                    ? $"lost the connection to {endpoint} while the program ran"
                    : $"{endpoint} closed the connection without answering (a node older than this client does not run programs for exec)", null, 0);
        }
        return results!;
    }

    private async Task CancelAllAsync(long[] ids)
    {
        try
        {
            foreach (long id in ids) await WriteAsync(new ExecCancel { RequestId = id, Reason = ExecCancelReason.Interrupt }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The connection is gone: the node cancels the programs itself.
        }
    }

    private async Task WriteAsync(IClusterMessage message, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await connection.WriteAsync(message, ct).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static ExecEnd ToEnd(ExecOutcome outcome) => outcome switch
    {
        ExecOutcome.Stopped => ExecEnd.Stopped,
        ExecOutcome.Crashed => ExecEnd.Crashed,
        ExecOutcome.Interrupted => ExecEnd.Interrupted,
        ExecOutcome.Killed => ExecEnd.Killed,
        ExecOutcome.NodeLost => ExecEnd.NodeLost,
        _ => ExecEnd.Refused,
    };

    private sealed class Stream(string target)
    {
        public string Target { get; } = target;
        public string? Alias { get; set; }
        public string? ProcessId { get; set; }
    }
}
