using Iridium.Cluster.Timing;

namespace Iridium.Cluster.Seeds;

/// <summary>Where joining through the seeds stands; the transitions are in docs/cluster.md.</summary>
internal enum RejoinState : byte
{
    /// <summary>Not started.</summary>
    Idle,
    /// <summary>A round is in flight: each seed in turn until one answers.</summary>
    Joining,
    /// <summary>The last round found no seed; the next starts at <see cref="RejoinMachine.RetryAtMs"/>.</summary>
    BackingOff,
    /// <summary>A seed answered (or every seed is this node): nothing to do while a peer is live.</summary>
    Joined,
    /// <summary>The node is leaving.</summary>
    Stopped,
    /// <summary>
    /// Every seed that answered refused this node's alias, round after round, for
    /// <see cref="RejoinMachine.AliasGiveUp"/>: another live member holds it. The node gives up joining.
    /// </summary>
    AliasRefused,
}

/// <summary>How a round of dials to the seeds ended.</summary>
internal enum RoundResult : byte
{
    /// <summary>A seed answered and this node joined through it.</summary>
    Joined,
    /// <summary>Every seed turned out to be this node: there is nothing to join.</summary>
    OnlySelf,
    /// <summary>No seed answered.</summary>
    NoAnswer,
    /// <summary>No seed let this node in, and at least one refused it because a live member holds its alias.</summary>
    AliasTaken,
}

/// <summary>
/// The decisions of joining and rejoining through the seeds, with no I/O, no clock and no lock of
/// its own (<see cref="SeedJoiner"/> runs it under its lock and does the waiting and dialing).
/// It is level-triggered: it keeps the live-peer count it is told and decides from that, so
/// whether a round ends before or after the last peer is lost cannot change the outcome: a node
/// with seeds and no live peer always ends up joining again.
/// </summary>
/// <remarks>
/// A refused alias is retried for <see cref="AliasGiveUp"/> before the node gives up: a node
/// restarted at once after a crash finds its old self still live on the members until their
/// failure timeout passes, and must get in then; a second node given a live member's alias never
/// will, and is told so instead of retrying for ever.
/// </remarks>
internal sealed class RejoinMachine(Func<double>? jitter = null, TimeSpan? aliasGiveUp = null)
{
    /// <summary>The wait after a round with no answer: 50 ms, doubling, at most 2 s (plus up to a quarter of it at random).</summary>
    public static readonly Backoff RoundBackoff = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2));

    /// <summary>How long rounds may refuse the alias before the node gives up, unless told otherwise.</summary>
    public static readonly TimeSpan DefaultAliasGiveUp = TimeSpan.FromSeconds(30);

    private readonly Func<double> _jitter = jitter ?? Random.Shared.NextDouble;
    private int _failedRounds;
    private long _aliasRefusedSinceMs = -1;

    /// <summary>How long rounds may refuse the alias, one after another, before the node gives up.</summary>
    public TimeSpan AliasGiveUp { get; } = aliasGiveUp ?? DefaultAliasGiveUp;

    public RejoinState State { get; private set; } = RejoinState.Idle;

    /// <summary>When the next round starts, while <see cref="RejoinState.BackingOff"/> (ms on the node's clock).</summary>
    public long RetryAtMs { get; private set; }

    /// <summary>The live-peer count as last told.</summary>
    public int LiveCount { get; private set; }

    /// <summary>Idle → Joining.</summary>
    public void Start()
    {
        if (State != RejoinState.Idle) throw new InvalidOperationException($"cannot start joining in state {State}");
        State = RejoinState.Joining;
    }

    /// <summary>Joining → Joined or BackingOff. Ignored once stopped (a round can end after the node began leaving).</summary>
    public void RoundEnded(RoundResult result, long nowMs)
    {
        if (State == RejoinState.Stopped) return;
        if (State != RejoinState.Joining) throw new InvalidOperationException($"a round ended in state {State}");
        if (result != RoundResult.AliasTaken) _aliasRefusedSinceMs = -1;
        switch (result)
        {
            case RoundResult.Joined when LiveCount > 0:
            case RoundResult.OnlySelf:
                _failedRounds = 0;
                State = RejoinState.Joined;
                break;
            case RoundResult.Joined:
                // It answered, but the connection is already gone: start over from the shortest wait.
                _failedRounds = 0;
                BackOff(nowMs);
                break;
            case RoundResult.AliasTaken:
                if (_aliasRefusedSinceMs < 0) _aliasRefusedSinceMs = nowMs;
                if (nowMs - _aliasRefusedSinceMs >= (long)AliasGiveUp.TotalMilliseconds) State = RejoinState.AliasRefused;
                else BackOff(nowMs);
                break;
            default:
                BackOff(nowMs);
                break;
        }
    }

    /// <summary>BackingOff → Joining once <see cref="RetryAtMs"/> has come. True when a round is due.</summary>
    public bool BackoffElapsed(long nowMs)
    {
        if (State != RejoinState.BackingOff || nowMs < RetryAtMs) return false;
        State = RejoinState.Joining;
        return true;
    }

    /// <summary>Stores the count; Joined → Joining when it drops to 0. True when that starts a round.</summary>
    public bool LiveCountChanged(int count)
    {
        LiveCount = count;
        if (State != RejoinState.Joined || count > 0) return false;
        State = RejoinState.Joining;
        return true;
    }

    public void Stop() => State = RejoinState.Stopped;

    private void BackOff(long nowMs)
    {
        _failedRounds++;
        var wait = RoundBackoff.After(_failedRounds);
        RetryAtMs = nowMs + (long)(wait.TotalMilliseconds * (1 + _jitter() / 4));
        State = RejoinState.BackingOff;
    }
}
