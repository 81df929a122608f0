using Iridium.Cluster.Logging;
using Iridium.Cluster.Timing;
using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Seeds;

/// <summary>What one dial to a seed came to.</summary>
internal enum SeedAnswer : byte
{
    /// <summary>Joined (or already connected to the node there).</summary>
    Joined,
    /// <summary>The seed is this node.</summary>
    Self,
    /// <summary>Unreachable, refused, or not authenticated.</summary>
    NoAnswer,
    /// <summary>Refused: a live member holds this node's alias.</summary>
    AliasTaken,
}

/// <summary>
/// Joins through the seeds at start, and again whenever the node has no live peer: one loop for
/// the node's lifetime that does what <see cref="RejoinMachine"/> decides (run a round, wait out
/// the backoff, or wait to be woken). The peer manager tells it every change of the live count,
/// in order; because the machine decides from the count rather than from the events, a round
/// that ends just as the last peer is lost cannot leave the node isolated.
/// </summary>
internal sealed class SeedJoiner
{
    private readonly Lock _gate = new();
    private readonly RejoinMachine _machine;
    private readonly ISeedSource _seeds;
    private readonly Func<SeedAddress, CancellationToken, Task<SeedAnswer>> _dial;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<string> _gaveUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _wake = NewWake();
    private Task _loop = Task.CompletedTask;

    /// <param name="dial">Dials one seed; must not throw for network trouble.</param>
    /// <param name="aliasGiveUp">How long the seeds may refuse this node's alias before it gives up (<see cref="RejoinMachine"/>).</param>
    public SeedJoiner(ISeedSource seeds, Func<SeedAddress, CancellationToken, Task<SeedAnswer>> dial, TimeProvider time, ILogger logger, Func<double>? jitter = null, TimeSpan? aliasGiveUp = null)
    {
        _seeds = seeds;
        _dial = dial;
        _time = time;
        _logger = logger;
        _machine = new RejoinMachine(jitter, aliasGiveUp);
    }

    /// <summary>Completes, with why, when the node gives up joining: the seeds kept refusing its alias.</summary>
    public Task<string> GaveUp => _gaveUp.Task;

    public RejoinState State
    {
        get
        {
            lock (_gate) return _machine.State;
        }
    }

    /// <summary>Starts the loop (the first round begins at once); later calls do nothing.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_machine.State != RejoinState.Idle) return;
            _machine.Start();
            _loop = Task.Run(LoopAsync);
        }
    }

    /// <summary>The live-peer count changed. Called under the peer manager's lock: only takes this joiner's (leaf) lock.</summary>
    public void OnLiveCountChanged(int count)
    {
        lock (_gate)
        {
            if (!_machine.LiveCountChanged(count)) return;
            ClusterLog.Rejoining(_logger);
            Wake();
        }
    }

    /// <summary>Stops the loop and waits for it (a round in flight is cancelled).</summary>
    public async Task StopAsync()
    {
        lock (_gate)
        {
            _machine.Stop();
            Wake();
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var stop = _stop.Token;
        while (true)
        {
            RejoinState state;
            Task woken;
            long retryAt;
            lock (_gate)
            {
                state = _machine.State;
                woken = _wake.Task;
                retryAt = _machine.RetryAtMs;
            }
            switch (state)
            {
                case RejoinState.Joining:
                    var result = await RoundAsync(stop).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _machine.RoundEnded(result, _time.NowMs());
                        if (_machine.State == RejoinState.BackingOff) ClusterLog.SeedRetry(_logger, Math.Max(0, _machine.RetryAtMs - _time.NowMs()));
                    }
                    break;
                case RejoinState.AliasRefused:
                    string why = $"the seeds refused this node's alias for {_machine.AliasGiveUp.TotalSeconds:0} s: a live member of the cluster holds it";
                    ClusterLog.AliasRefused(_logger, why);
                    _gaveUp.TrySetResult(why);
                    return;
                case RejoinState.BackingOff:
                    long wait = retryAt - _time.NowMs();
                    if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), _time, stop).ConfigureAwait(false);
                    lock (_gate) _machine.BackoffElapsed(_time.NowMs());
                    break;
                case RejoinState.Joined:
                    await woken.WaitAsync(stop).ConfigureAwait(false);
                    break;
                default:
                    return;
            }
        }
    }

    /// <summary>Each seed in turn until one answers. Whatever goes wrong is a round with no answer: the loop must live on.</summary>
    private async Task<RoundResult> RoundAsync(CancellationToken stop)
    {
        try
        {
            return await TrySeedsAsync(stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ClusterLog.SeedRoundFailed(_logger, e.GetType().Name, UntrustedText.Escape(e.Message));
            return RoundResult.NoAnswer;
        }
    }

    private async Task<RoundResult> TrySeedsAsync(CancellationToken stop)
    {
        var seeds = await _seeds.ResolveAsync(stop).ConfigureAwait(false);
        bool anyOther = seeds.Count == 0;
        bool aliasTaken = false;
        foreach (var seed in seeds)
        {
            var answer = await _dial(seed, stop).ConfigureAwait(false);
            if (answer == SeedAnswer.Joined)
            {
                ClusterLog.Joined(_logger, seed.ToString());
                return RoundResult.Joined;
            }
            if (answer != SeedAnswer.Self) anyOther = true;
            aliasTaken |= answer == SeedAnswer.AliasTaken;
        }
        // Every seed is this node: nothing to join.
        return aliasTaken ? RoundResult.AliasTaken : anyOther ? RoundResult.NoAnswer : RoundResult.OnlySelf;
    }

    /// <summary>Wakes the loop if it waits in Joined. Caller holds the lock.</summary>
    private void Wake()
    {
        _wake.TrySetResult();
        _wake = NewWake();
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
