using System.Text;
using Iridium.Store.Model;
using Iridium.Store.Tests.Support;

namespace Iridium.Store.Tests;

/// <summary>Three voters in this process over the in-memory network, each with its own log on disk.</summary>
public sealed class ThreeVoterTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_write_on_any_voter_is_read_back_on_every_voter()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        await voters.LeaderAsync(Generous);
        foreach (var node in voters.Running)
        {
            var put = await node.WriteAsync(StoreCommand.Put(B("k-" + node.Name), B("v-" + node.Name)));
            Assert.Equal(StoreOutcome.Done, put.Outcome);
        }
        foreach (var node in voters.Running)
            foreach (var name in ThreeVoters.Names)
                Assert.Equal("v-" + name, Encoding.UTF8.GetString((await node.GetAsync(B("k-" + name)))!.Value));
    }

    [Fact]
    public async Task Compare_and_set_swaps_once_and_reports_a_mismatch()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        await voters.LeaderAsync(Generous);
        var a = voters.Node("a")!;
        Assert.Equal(StoreOutcome.Done, (await a.WriteAsync(StoreCommand.CompareAndSet(B("n"), null, B("1")))).Outcome);
        Assert.Equal(StoreOutcome.Mismatch, (await a.WriteAsync(StoreCommand.CompareAndSet(B("n"), null, B("1")))).Outcome);
        Assert.Equal(StoreOutcome.Done, (await voters.Node("b")!.WriteAsync(StoreCommand.CompareAndSet(B("n"), B("1"), B("2")))).Outcome);
        Assert.Equal(StoreOutcome.Mismatch, (await voters.Node("c")!.WriteAsync(StoreCommand.CompareAndSet(B("n"), B("1"), B("3")))).Outcome);
        Assert.Equal("2", Encoding.UTF8.GetString((await a.GetAsync(B("n")))!.Value));
        Assert.Equal(StoreOutcome.Done, (await a.WriteAsync(StoreCommand.Delete(B("n")))).Outcome);
        Assert.Equal(StoreOutcome.NotFound, (await a.WriteAsync(StoreCommand.Delete(B("n")))).Outcome);
        Assert.Null(await voters.Node("c")!.GetAsync(B("n")));
    }

    [Fact]
    public async Task Oversized_keys_and_values_are_refused_with_the_limit_named()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        var a = voters.Node("a")!;
        var key = await Assert.ThrowsAsync<ArgumentException>(() => a.WriteAsync(StoreCommand.Put(new byte[1025], B("v"))));
        Assert.Contains("limit of 1024", key.Message);
        var value = await Assert.ThrowsAsync<ArgumentException>(() => a.WriteAsync(StoreCommand.Put(B("k"), new byte[4097])));
        Assert.Contains("limit of 4096", value.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => a.GetAsync([]));
    }

    [Fact]
    public async Task Acknowledged_writes_survive_a_stop_of_every_voter_and_a_restart()
    {
        await using var voters = await ThreeVoters.StartAllAsync(snapshotEvery: 16);
        await voters.LeaderAsync(Generous);
        for (var i = 0; i < 50; i++)
            Assert.True((await voters.Node(ThreeVoters.Names[i % 3])!.WriteAsync(StoreCommand.Put(B($"k{i}"), B($"v{i}")))).Succeeded);
        foreach (var name in ThreeVoters.Names) await voters.StopAsync(name);
        foreach (var name in ThreeVoters.Names) await voters.StartAsync(name);
        await voters.LeaderAsync(Generous);
        for (var i = 0; i < 50; i++)
            Assert.Equal($"v{i}", Encoding.UTF8.GetString((await voters.Node("b")!.GetAsync(B($"k{i}")))!.Value));
    }

    [Fact]
    public async Task Snapshots_bound_the_log()
    {
        await using var voters = await ThreeVoters.StartAllAsync(snapshotEvery: 20);
        await voters.LeaderAsync(Generous);
        var a = voters.Node("a")!;
        // A put that meets an election on a loaded machine ("unavailable") is put again: the same value either way.
        for (var i = 0; i < 200; i++) await voters.WriteUntilAnsweredAsync(a, StoreCommand.Put(B($"k{i % 10}"), B($"v{i}")), Generous);
        var status = a.Status();
        Assert.True(status.SnapshotBytes > 0, "a snapshot was written");
        Assert.Equal(10, status.Keys);
        // A voter that comes back empty catches up (from the snapshot, as the log before it is gone).
        // Its data may go only once the other two hold everything committed: the majority that
        // committed an entry can have been a and c alone (b lagging on a loaded machine), and a
        // voter that loses its disk takes such entries with it. b and the empty c then elected b,
        // whose log lacked the last acknowledged writes (1 run in 8 here). Raft assumes a voter's
        // log survives; etcd has its operators remove and re-add a member whose data is lost.
        var committed = a.Status().CommitIndex;
        var ready = DateTime.UtcNow + Generous;
        while (voters.Running.Any(n => n.Status().AppliedIndex < committed))
        {
            Assert.True(DateTime.UtcNow < ready, $"every voter applied the {committed} entries a committed; "
                + string.Join("; ", voters.Running.Select(n => n.Status()).Select(s => $"{s.Name}: commit {s.CommitIndex}, applied {s.AppliedIndex}")));
            await Task.Delay(20);
        }
        await voters.StopAsync("c");
        Directory.Delete(voters.DataOf("c"), recursive: true);
        var c = await voters.StartAsync("c");
        var deadline = DateTime.UtcNow + Generous;
        while (c.GetStale(B("k9")) is not { } v || Encoding.UTF8.GetString(v.Value) != "v199")
        {
            Assert.True(DateTime.UtcNow < deadline, "c caught up; "
                + string.Join("; ", voters.Running.Select(n => n.Status()).Select(s => $"{s.Name}: term {s.Term}, leader {s.Leader}, commit {s.CommitIndex}, last {s.LastLogIndex}, applied {s.AppliedIndex}")));
            await Task.Delay(20);
        }
        Assert.Equal("v199", Encoding.UTF8.GetString(c.GetStale(B("k9"))!.Value));
    }

    [Fact]
    public async Task A_new_leader_is_elected_when_the_leader_stops_and_writes_go_on()
    {
        await using var voters = await ThreeVoters.StartAllAsync();
        var leader = await voters.LeaderAsync(Generous);
        var survivor = voters.Running.First(n => n.Name != leader);
        await survivor.WriteAsync(StoreCommand.Put(B("before"), B("1")));
        await voters.StopAsync(leader);
        var next = await voters.LeaderAsync(Generous);
        Assert.NotEqual(leader, next);
        Assert.True((await survivor.WriteAsync(StoreCommand.Put(B("after"), B("2")))).Succeeded);
        Assert.Equal("1", Encoding.UTF8.GetString((await survivor.GetAsync(B("before")))!.Value));
    }

    [Fact]
    public async Task An_isolated_voter_answers_unavailable_within_the_timeout()
    {
        await using var voters = new ThreeVoters { Timeout = TimeSpan.FromSeconds(1) };
        foreach (var name in ThreeVoters.Names) await voters.StartAsync(name);
        var leader = await voters.LeaderAsync(Generous);
        var alone = ThreeVoters.Names.First(n => n != leader);
        voters.Network.Isolate(alone);
        var node = voters.Node(alone)!;
        var write = await Assert.ThrowsAsync<StoreUnavailableException>(() => node.WriteAsync(StoreCommand.Put(B("k"), B("v"))));
        // Passed on to the leader it can no longer reach: it may or may not have happened. Or, once
        // the voter has seen the leader go quiet: no leader, so nothing was passed on. Both are right.
        Assert.Matches("may or may not|no leader within", write.Message);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => node.GetAsync(B("k")));
    }
}
