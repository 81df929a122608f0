namespace Iridium.Vm;

/// <summary>
/// A process with no program that its host speaks for: what `iridium send` and `iridium call`
/// are to the process they address. It sends as any process does (the target sees it as the
/// sender, a handle it can answer), and its host takes what arrives in its mailbox without a
/// thread waiting (<see cref="ReceiveAsync"/>). It is the root of a group of its own, counts
/// against the process limit like any process, and ends when disposed (reason 0 to its watchers).
/// </summary>
public sealed class Correspondent : IDisposable
{
    private readonly ProcessRuntime _runtime;
    private readonly Process _process;
    private readonly SemaphoreSlim _arrived = new(0);

    internal Correspondent(ProcessRuntime runtime, Process process)
    {
        _runtime = runtime;
        _process = process;
        process.LetterPosted = () => _arrived.Release();
    }

    /// <summary>ALIAS.N, as `ps` lists it.</summary>
    public string Id => _process.Id;

    /// <summary>Sends <paramref name="payload"/> to <paramref name="target"/>: false when it has ended or its mailbox is full.</summary>
    public bool Send(Process target, byte[] payload) => target.TryPost(_process, payload);

    /// <summary>
    /// The payload of the next message that arrives (down notices are passed over), or null when
    /// none came within <paramref name="timeout"/> or this process was killed.
    /// </summary>
    public async Task<byte[]?> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            lock (_process)
            {
                while (_process.Mailbox.TryPeek(out var letter))
                {
                    _process.Mailbox.RemoveFirst();
                    if (!letter.IsDownNotice) return letter.Payload;
                }
                if (_process.KillRequested || _process.State == ProcessRunState.Ended) return null;
            }
            long left = deadline - Environment.TickCount64;
            if (left <= 0 || !await _arrived.WaitAsync(TimeSpan.FromMilliseconds(left), cancel).ConfigureAwait(false)) return null;
        }
    }

    public void Dispose()
    {
        if (_process.State != ProcessRunState.Ended) _runtime.Finish(_process, DownReason.Halted, null);
    }
}
