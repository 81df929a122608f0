using System.Threading.Channels;
using Iridium.Cluster.Seeds;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Timing;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Cluster.Tests.Seeds;

/// <summary>
/// The seed loop driven by hand: a fake clock (moved only by the test) and a fake dialer whose
/// every dial the test answers. No sockets and no sleeps, so the orders of events that once lost
/// the rejoin are produced on purpose, every run.
/// </summary>
public sealed class SeedJoinerTests : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly Channel<Dial> _dials = Channel.CreateUnbounded<Dial>();
    private readonly SeedJoiner _joiner;

    public SeedJoinerTests()
    {
        _joiner = new SeedJoiner(new StaticSeeds([new SeedAddress("seed", 1)]), DialAsync, _time, new TestLog(), jitter: () => 0);
    }

    /// <summary>One dial the loop made, at what time, waiting for the test's answer.</summary>
    private sealed record Dial(SeedAddress Seed, long AtMs, TaskCompletionSource<SeedAnswer> Answer);

    private Task<SeedAnswer> DialAsync(SeedAddress seed, CancellationToken ct)
    {
        var dial = new Dial(seed, _time.NowMs(), new TaskCompletionSource<SeedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously));
        ct.Register(() => dial.Answer.TrySetCanceled());
        _dials.Writer.TryWrite(dial);
        return dial.Answer.Task;
    }

    /// <summary>
    /// The next dial; the clock is moved forward in small steps while none has come (a backoff to
    /// wait out). How far it moves past the due time depends on how fast the loop answers, so
    /// tests check that a retry is never early (the exact waits are RejoinMachineTests' job).
    /// </summary>
    private async Task<Dial> NextDialAsync(bool moveTime = true)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            if (_dials.Reader.TryRead(out var dial)) return dial;
            if (DateTime.UtcNow > deadline) Assert.Fail("the joiner made no dial");
            if (moveTime) _time.Advance(TimeSpan.FromMilliseconds(5));
            await Task.Delay(1);
        }
    }

    private Task StateIs(RejoinState state) => Eventually.True(() => _joiner.State == state, Wait, $"joiner in state {state}");

    [Fact]
    public async Task TheSeedIsRetriedWithBackoffUntilItAnswers()
    {
        long start = _time.NowMs();
        _joiner.Start();
        var first = await NextDialAsync(moveTime: false);
        Assert.Equal(start, first.AtMs);
        first.Answer.SetResult(SeedAnswer.NoAnswer);
        await StateIs(RejoinState.BackingOff);
        var second = await NextDialAsync();
        Assert.True(second.AtMs - first.AtMs >= 50, $"retried after {second.AtMs - first.AtMs} ms");
        second.Answer.SetResult(SeedAnswer.NoAnswer);
        await StateIs(RejoinState.BackingOff);
        long secondEnded = _time.NowMs();
        var third = await NextDialAsync();
        Assert.True(third.AtMs - secondEnded >= 100, $"retried after {third.AtMs - secondEnded} ms");
        _joiner.OnLiveCountChanged(1);
        third.Answer.SetResult(SeedAnswer.Joined);
        await StateIs(RejoinState.Joined);
        _time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(50);
        Assert.False(_dials.Reader.TryRead(out _), "no dial while a peer is live");
    }

    [Fact]
    public async Task ASeedThatKeepsRefusingTheAliasEndsJoiningWithAReason()
    {
        var log = new TestLog();
        var joiner = new SeedJoiner(new StaticSeeds([new SeedAddress("seed", 1)]), (_, _) => Task.FromResult(SeedAnswer.AliasTaken), _time, log, jitter: () => 0, aliasGiveUp: TimeSpan.FromSeconds(5));
        joiner.Start();
        var deadline = DateTime.UtcNow + Wait;
        while (!joiner.GaveUp.IsCompleted && DateTime.UtcNow < deadline)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }
        Assert.True(joiner.GaveUp.IsCompleted, "the joiner is still trying");
        Assert.Contains("a live member of the cluster holds it", await joiner.GaveUp);
        Assert.Equal(RejoinState.AliasRefused, joiner.State);
        Assert.True(log.Contains("cannot join: the seeds refused this node's alias for 5 s"));
        await joiner.StopAsync();
    }

    [Fact]
    public async Task TheLastPeerLostAfterTheRoundEndedMeansANewRound()
    {
        _joiner.Start();
        var first = await NextDialAsync(moveTime: false);
        _joiner.OnLiveCountChanged(1);
        first.Answer.SetResult(SeedAnswer.Joined);
        await StateIs(RejoinState.Joined);

        _joiner.OnLiveCountChanged(0); // the seed leaves
        var again = await NextDialAsync(moveTime: false);
        Assert.Equal(first.Seed, again.Seed);
    }

    [Fact]
    public async Task TheLastPeerLostWhileTheRoundIsEndingStillMeansANewRound()
    {
        // The seed's connection came and went before the round that made it returned.
        _joiner.Start();
        var first = await NextDialAsync(moveTime: false);
        _joiner.OnLiveCountChanged(1);
        _joiner.OnLiveCountChanged(0);
        first.Answer.SetResult(SeedAnswer.Joined);
        await StateIs(RejoinState.BackingOff);
        var again = await NextDialAsync();
        Assert.True(again.AtMs - first.AtMs >= 50, $"retried after {again.AtMs - first.AtMs} ms");
        _joiner.OnLiveCountChanged(1);
        again.Answer.SetResult(SeedAnswer.Joined);
        await StateIs(RejoinState.Joined);
    }

    [Fact]
    public async Task StoppingEndsTheLoopEvenInTheMiddleOfARound()
    {
        _joiner.Start();
        await NextDialAsync(moveTime: false);
        await _joiner.StopAsync().WaitAsync(Wait);
        Assert.Equal(RejoinState.Stopped, _joiner.State);
    }

    public async ValueTask DisposeAsync()
    {
        if (_joiner.State != RejoinState.Stopped) await _joiner.StopAsync();
    }
}
