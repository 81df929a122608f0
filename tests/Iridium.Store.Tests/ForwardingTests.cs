using System.Diagnostics;
using System.Text;
using Iridium.Cluster.Protocol;
using Iridium.Store.Model;
using Iridium.Store.Raft;
using Iridium.Store.Service;
using Iridium.Store.Tests.Support;

namespace Iridium.Store.Tests;

/// <summary>A node that is not a voter reaches the store through the voters (<see cref="ForwardingStoreService"/>), and the wire mapping of client calls.</summary>
public sealed class ForwardingTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);
    private static string S(byte[] bytes) => Encoding.UTF8.GetString(bytes);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private static ForwardingStoreService ClientOf(ThreeVoters voters, TimeSpan? timeout = null) =>
        new(voters.Network.Connect("d"), ThreeVoters.Names, new StoreLimits { MaxValueBytes = 4096 }, timeout ?? TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Every_operation_through_a_node_that_is_not_a_voter_reaches_the_voters()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        await voters.LeaderAsync(Generous);
        var client = ClientOf(voters);

        Assert.Equal(StoreOutcome.Done, (await client.PutAsync(B("a/1"), B("one"))).Outcome);
        Assert.Equal(StoreOutcome.Done, (await client.CompareAndSetAsync(B("a/2"), null, B("two"))).Outcome);
        Assert.Equal(StoreOutcome.Mismatch, (await client.CompareAndSetAsync(B("a/2"), null, B("again"))).Outcome);
        Assert.Equal(StoreOutcome.Done, (await client.CompareAndSetAsync(B("a/2"), B("two"), B("2"))).Outcome);
        Assert.Equal(StoreOutcome.Done, (await client.PutAsync(B("b/1"), B("other"))).Outcome);

        Assert.Equal("one", S((await client.GetAsync(B("a/1")))!.Value));
        Assert.Null(await client.GetAsync(B("missing")));
        foreach (var node in voters.Running) Assert.Equal("2", S((await node.GetAsync(B("a/2")))!.Value));

        var listed = await client.ListAsync(B("a/"), 10);
        Assert.Equal(["a/1", "a/2"], listed.Select(e => S(e.Key)));
        Assert.Equal(StoreOutcome.Done, (await client.DeleteAsync(B("a/1"))).Outcome);
        Assert.Equal(StoreOutcome.NotFound, (await client.DeleteAsync(B("a/1"))).Outcome);

        var status = await client.StatusAsync();
        Assert.Contains(status.Name, ThreeVoters.Names);
        Assert.Equal(3, status.Voters.Count);
        Assert.NotNull(status.Leader);
    }

    [Fact]
    public async Task Calls_go_on_through_another_voter_when_one_is_gone()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        await voters.LeaderAsync(Generous);
        var client = ClientOf(voters);
        Assert.Equal(StoreOutcome.Done, (await client.PutAsync(B("k"), B("1"))).Outcome);
        await voters.StopAsync("a");
        await voters.LeaderAsync(Generous);
        Assert.Equal(StoreOutcome.Done, (await client.PutAsync(B("k"), B("2"))).Outcome);
        Assert.Equal("2", S((await client.GetAsync(B("k")))!.Value));
    }

    [Fact]
    public async Task Without_a_majority_a_call_is_unavailable_within_the_timeout()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        await voters.LeaderAsync(Generous);
        var client = ClientOf(voters, TimeSpan.FromSeconds(1));
        foreach (var name in ThreeVoters.Names) await voters.StopAsync(name);
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => client.PutAsync(B("k"), B("v")));
        Assert.Contains("unavailable", e.Message);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => client.GetAsync(B("k")));
        // Two calls, each the timeout plus the forwarder's margin of a second; generous for a loaded machine.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Keys_and_values_over_the_limits_are_refused_before_anything_travels()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        var client = ClientOf(voters);
        await Assert.ThrowsAsync<ArgumentException>(() => client.PutAsync(new byte[StoreLimits.MaxKeyBytes + 1], B("v")));
        await Assert.ThrowsAsync<ArgumentException>(() => client.PutAsync(B("k"), new byte[4097]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetAsync([]));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => client.CompareAndSetAsync(B("k"), new byte[4097], B("v")));
        Assert.Contains("expected value", e.Message);
    }

    [Fact]
    public async Task A_wire_call_maps_every_outcome_and_a_list_says_when_it_is_cut()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        await voters.LeaderAsync(Generous);
        var service = new VoterStoreService(voters.Node("b")!);
        for (int i = 0; i < 5; i++) await service.PutAsync(B($"p/{i}"), B($"v{i}"));

        var listed = await StoreCalls.AnswerAsync(service, new KvRequest { Operation = KvOperation.List, Key = B("p/"), Limit = 3 }, default);
        Assert.Equal(KvStatus.Done, listed.Status);
        Assert.Equal(["p/0", "p/1", "p/2"], listed.Entries!.Select(e => S(e.Key!)));
        Assert.True(listed.Truncated);
        var all = await StoreCalls.AnswerAsync(service, new KvRequest { Operation = KvOperation.List, Key = B("p/"), Limit = 5 }, default);
        Assert.False(all.Truncated);
        Assert.Equal(5, all.Entries!.Count);

        Assert.Equal(KvStatus.NotFound, (await StoreCalls.AnswerAsync(service, new KvRequest { Operation = KvOperation.Get, Key = B("none") }, default)).Status);
        Assert.Equal(KvStatus.Mismatch, (await StoreCalls.AnswerAsync(service, new KvRequest { Operation = KvOperation.CompareAndSet, Key = B("p/0"), ExpectAbsent = true, Value = B("x") }, default)).Status);
        Assert.Equal(KvStatus.Invalid, (await StoreCalls.AnswerAsync(service, new KvRequest { Operation = KvOperation.Put, Key = [], Value = B("x") }, default)).Status);
        Assert.Equal(KvStatus.Invalid, (await StoreCalls.AnswerAsync(service, new KvRequest { Operation = (KvOperation)99, Key = B("k") }, default)).Status);
        var got = await StoreCalls.AnswerAsync(service, new KvRequest { Operation = KvOperation.Get, Key = B("p/4"), Stale = true }, default);
        Assert.Equal("v4", S(got.Value!));
    }

    /// <summary>Voters that answer every forwarded get with a fixed status (Done: the key as the value).</summary>
    private sealed class ScriptedVoters(Dictionary<string, KvStatus> answers) : IStoreTransport
    {
        public List<string> Asked { get; } = [];

        public Task<IRaftReply> RequestAsync(string voter, IRaftRequest request, CancellationToken token)
        {
            Asked.Add(voter);
            var call = Assert.IsType<ForwardedKv>(request);
            return Task.FromResult<IRaftReply>(new ForwardedKvReply(new KvReply { Status = answers[voter], Value = call.Request.Key, Message = $"{voter}: no majority" }));
        }

        public void Serve(Func<string, IRaftRequest, CancellationToken, Task<IRaftReply>> handler)
        {
        }
    }

    [Fact]
    public async Task A_voter_that_answers_unavailable_is_asked_after_the_others_next_time()
    {
        var voters = new ScriptedVoters(new() { ["a"] = KvStatus.Unavailable, ["b"] = KvStatus.Done, ["c"] = KvStatus.Done });
        var client = new ForwardingStoreService(voters, ["a", "b", "c"], new StoreLimits(), TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<StoreUnavailableException>(() => client.GetAsync(B("k")));
        Assert.Contains("a: no majority", e.Message);
        Assert.Equal("k", S((await client.GetAsync(B("k")))!.Value));
        Assert.Equal("k", S((await client.GetAsync(B("k")))!.Value));
        Assert.Equal(["a", "b", "b"], voters.Asked);
    }
}
