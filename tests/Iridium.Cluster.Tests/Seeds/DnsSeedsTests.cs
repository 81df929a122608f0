using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Iridium.Cluster.Seeds;
using Iridium.Cluster.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Cluster.Tests.Seeds;

/// <summary>
/// <c>dns:NAME:PORT</c> seeds with a resolver stub: parsing, every record tried, the name looked
/// up again on each round (a headless Service's records change as pods come and go), failures.
/// </summary>
public sealed class DnsSeedsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>A resolver whose answer the test sets, counting lookups.</summary>
    private sealed class StubResolver
    {
        private volatile IPAddress[]? _answer = [];
        public int Lookups;
        public readonly List<string> Names = [];

        public void Answer(params string[] addresses) => _answer = addresses.Select(IPAddress.Parse).ToArray();
        public void NoSuchName() => _answer = null;

        public Task<IPAddress[]> ResolveAsync(string name, CancellationToken ct)
        {
            Interlocked.Increment(ref Lookups);
            lock (Names) Names.Add(name);
            return _answer is { } answer ? Task.FromResult(answer) : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
        }
    }

    [Theory]
    [InlineData("dns:iridium.default.svc.cluster.local:2254", null)]
    [InlineData("DNS:seeds:1", null)]
    [InlineData("10.0.0.5:2254", null)]
    [InlineData("dns:seeds", "seed 'dns:seeds' is not dns:NAME:PORT")]
    [InlineData("dns::2254", "seed 'dns::2254' is not dns:NAME:PORT")]
    [InlineData("dns:seeds:0", "seed 'dns:seeds:0' is not dns:NAME:PORT")]
    [InlineData("seeds", "seed 'seeds' is not HOST:PORT or dns:NAME:PORT")]
    public void ASeedIsHostPortOrDnsNamePort(string seed, string? problem)
    {
        Assert.Equal(problem, SeedSources.Problem(seed));
        Assert.Equal(problem, ClusterOptions.SeedProblem(seed));
    }

    [Fact]
    public async Task EveryRecordIsASeed_AtThePort_EachOnce_V4MappedAsV4()
    {
        var dns = new StubResolver();
        dns.Answer("10.1.0.7", "10.1.0.8", "::ffff:10.1.0.9", "fd00::5", "10.1.0.7");
        var source = SeedSources.From(["dns:iridium:2254"], dns.ResolveAsync);
        var seeds = await source.ResolveAsync(CancellationToken.None);
        Assert.Equal(new[] { "10.1.0.7:2254", "10.1.0.8:2254", "10.1.0.9:2254", "[fd00::5]:2254" }, seeds.Select(s => s.ToString()));
        Assert.Equal(new[] { "iridium" }, dns.Names);
    }

    [Fact]
    public async Task TheNameIsLookedUpAgainOnEveryRound()
    {
        var dns = new StubResolver();
        var source = SeedSources.From(["dns:iridium:2254"], dns.ResolveAsync);
        dns.Answer("10.1.0.7");
        Assert.Equal(new[] { "10.1.0.7:2254" }, (await source.ResolveAsync(CancellationToken.None)).Select(s => s.ToString()));
        dns.Answer("10.1.0.8", "10.1.0.9");
        Assert.Equal(new[] { "10.1.0.8:2254", "10.1.0.9:2254" }, (await source.ResolveAsync(CancellationToken.None)).Select(s => s.ToString()));
        Assert.Equal(2, dns.Lookups);
    }

    [Fact]
    public async Task AnUnknownName_FailsTheRoundWithTheName()
    {
        var dns = new StubResolver();
        dns.NoSuchName();
        var source = SeedSources.From(["dns:nowhere.invalid:2254"], dns.ResolveAsync);
        var e = await Assert.ThrowsAsync<SeedLookupException>(async () => await source.ResolveAsync(CancellationToken.None));
        Assert.StartsWith("dns:nowhere.invalid: ", e.Message);
    }

    [Fact]
    public async Task MixedSeeds_GivenAddressesFirst_ThenRecords_AndAFailedNameLeavesTheRest()
    {
        var dns = new StubResolver();
        dns.Answer("10.1.0.7", "10.0.0.5");
        var source = SeedSources.From(["dns:iridium:2254", "10.0.0.5:2254"], dns.ResolveAsync);
        Assert.Equal(new[] { "10.0.0.5:2254", "10.1.0.7:2254" }, (await source.ResolveAsync(CancellationToken.None)).Select(s => s.ToString()));
        dns.NoSuchName();
        Assert.Equal(new[] { "10.0.0.5:2254" }, (await source.ResolveAsync(CancellationToken.None)).Select(s => s.ToString()));
    }

    [Fact]
    public async Task WhenEveryNameFails_TheRoundFailsWithTheFirst()
    {
        var dns = new StubResolver();
        dns.NoSuchName();
        var source = SeedSources.From(["dns:first:1", "dns:second:2"], dns.ResolveAsync);
        var e = await Assert.ThrowsAsync<SeedLookupException>(async () => await source.ResolveAsync(CancellationToken.None));
        Assert.StartsWith("dns:first: ", e.Message);
        Assert.Equal(new[] { "first", "second" }, dns.Names);
    }

    [Fact]
    public async Task TheJoinerTriesEveryRecordInTurn_AndLooksUpAgainAfterAFailedRound()
    {
        var time = new FakeTimeProvider();
        var dns = new StubResolver();
        dns.Answer("10.1.0.7", "10.1.0.8");
        var dials = Channel.CreateUnbounded<(SeedAddress Seed, TaskCompletionSource<SeedAnswer> Answer)>();
        Task<SeedAnswer> Dial(SeedAddress seed, CancellationToken ct)
        {
            var answer = new TaskCompletionSource<SeedAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
            ct.Register(() => answer.TrySetCanceled());
            dials.Writer.TryWrite((seed, answer));
            return answer.Task;
        }
        async Task<(SeedAddress Seed, TaskCompletionSource<SeedAnswer> Answer)> NextDial()
        {
            var deadline = DateTime.UtcNow + Wait;
            (SeedAddress Seed, TaskCompletionSource<SeedAnswer> Answer) dial;
            while (!dials.Reader.TryRead(out dial))
            {
                if (DateTime.UtcNow > deadline) Assert.Fail("the joiner made no dial");
                time.Advance(TimeSpan.FromMilliseconds(5));
                await Task.Delay(1);
            }
            return dial;
        }

        var joiner = new SeedJoiner(SeedSources.From(["dns:iridium:2254"], dns.ResolveAsync), Dial, time, new TestLog(), jitter: () => 0);
        try
        {
            joiner.Start();
            var first = await NextDial();
            Assert.Equal("10.1.0.7:2254", first.Seed.ToString());
            first.Answer.SetResult(SeedAnswer.NoAnswer);
            var second = await NextDial();
            Assert.Equal("10.1.0.8:2254", second.Seed.ToString());
            // A new pod appears before the next round: the next round dials it.
            dns.Answer("10.1.0.9");
            second.Answer.SetResult(SeedAnswer.NoAnswer);
            var third = await NextDial();
            Assert.Equal("10.1.0.9:2254", third.Seed.ToString());
            Assert.Equal(2, dns.Lookups);
            joiner.OnLiveCountChanged(1);
            third.Answer.SetResult(SeedAnswer.Joined);
            await Eventually.True(() => joiner.State == RejoinState.Joined, Wait, "joined through the new record");
        }
        finally
        {
            await joiner.StopAsync();
        }
    }

    [Fact]
    public async Task AFailedLookupIsARoundWithNoAnswer_RetriedUntilTheNameResolves()
    {
        var time = new FakeTimeProvider();
        var dns = new StubResolver();
        dns.NoSuchName();
        var dialed = new TaskCompletionSource<SeedAddress>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new TestLog();
        var joiner = new SeedJoiner(SeedSources.From(["dns:iridium:2254"], dns.ResolveAsync), (seed, _) =>
        {
            dialed.TrySetResult(seed);
            return Task.FromResult(SeedAnswer.Joined);
        }, time, log, jitter: () => 0);
        try
        {
            joiner.Start();
            await Eventually.True(() => Volatile.Read(ref dns.Lookups) >= 2 || Advance(time), Wait, "a second lookup after the first failed");
            Assert.False(dialed.Task.IsCompleted);
            Assert.Contains(log.Lines, line => line.Contains("dns:iridium: "));
            dns.Answer("10.1.0.7");
            joiner.OnLiveCountChanged(1);
            await Eventually.True(() => dialed.Task.IsCompleted || Advance(time), Wait, "a dial once the name resolves");
            Assert.Equal("10.1.0.7:2254", (await dialed.Task).ToString());
        }
        finally
        {
            await joiner.StopAsync();
        }
    }

    /// <summary>Moves the fake clock on while a condition is polled; always false.</summary>
    private static bool Advance(FakeTimeProvider time)
    {
        time.Advance(TimeSpan.FromMilliseconds(20));
        return false;
    }
}
