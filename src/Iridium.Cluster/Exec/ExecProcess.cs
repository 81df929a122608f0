using Iridium.Cluster.Protocol;
using Iridium.Vm;

namespace Iridium.Cluster.Exec;

/// <summary>
/// One program this node runs for `iridium exec`: an entry of the <see cref="ProcessTable"/>.
/// Its output and its end go back along <see cref="Reply"/> (to the client, or to the node that
/// forwarded the request), tagged with <see cref="RequestId"/>.
/// </summary>
internal sealed class ExecProcess : ProcessEntry
{
    private readonly CancellationTokenSource _cancel = new();
    private int _stopReason;

    public ExecProcess(string id, string program, string origin, long requestId, int window, int chunkBytes, Func<IClusterMessage, bool> reply)
        : base(id, program, origin)
    {
        RequestId = requestId;
        Reply = reply;
        Output = new ProcessOutput(window, chunkBytes, chunk => reply(OutputChunk.Of(requestId, chunk, Output!.Recycle)), () => Stop(ExecOutcome.Interrupted), _cancel.Token);
    }

    public long RequestId { get; }

    public Func<IClusterMessage, bool> Reply { get; }

    public ProcessOutput Output { get; }

    public CancellationToken Cancelled => _cancel.Token;

    /// <summary>Why the process was stopped from outside (Interrupted, Killed or NodeLost), or null while nobody stopped it.</summary>
    public ExecOutcome? StopReason => Volatile.Read(ref _stopReason) is var reason and not 0 ? (ExecOutcome)reason : null;

    public override void Kill() => Stop(ExecOutcome.Killed);

    /// <summary>Stops the program at its next instruction boundary (or before it starts); the first reason sticks.</summary>
    public void Stop(ExecOutcome reason)
    {
        Interlocked.CompareExchange(ref _stopReason, (int)reason, 0);
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ended already.
        }
    }
}
