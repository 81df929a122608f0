using System.Text;
using Iridium.Store.Model;
using Iridium.Store.Tests.Support;
using Xunit.Abstractions;

namespace Iridium.Store.Tests.Linearizability;

/// <summary>
/// Concurrent clients get, put and compare-and-set a few keys on random voters while faults are
/// injected; the recorded history must be linearizable (which also means no acknowledged write was
/// lost: a later read would contradict it). A write that answered "unavailable" is recorded as never
/// returned; a get that answered "unavailable" observed nothing and is left out.
/// </summary>
public sealed class StoreUnderFaultsTests(ITestOutputHelper output)
{
    private static readonly string[] Keys = ["x", "y", "z"];
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private sealed record Run(int Operations, int Acknowledged, int Indeterminate, int UnavailableReads, int Faults);

    [Fact]
    public async Task The_leader_stopped_and_restarted_repeatedly() =>
        await RunAsync("leader stop/restart", async (voters, faults) =>
        {
            for (var i = 0; i < 3; i++)
            {
                var leader = await voters.LeaderAsync(Generous);
                await voters.StopAsync(leader);
                faults.Add(1);
                await Task.Delay(700);
                await voters.StartAsync(leader);
                await Task.Delay(500);
            }
        });

    [Fact]
    public async Task Every_voter_stopped_and_restarted_in_turn_and_all_at_once() =>
        await RunAsync("each voter, then all", async (voters, faults) =>
        {
            foreach (var name in ThreeVoters.Names)
            {
                await voters.StopAsync(name);
                faults.Add(1);
                await Task.Delay(500);
                await voters.StartAsync(name);
                await Task.Delay(400);
            }
            foreach (var name in ThreeVoters.Names) await voters.StopAsync(name);
            faults.Add(1);
            foreach (var name in ThreeVoters.Names) await voters.StartAsync(name);
            await voters.LeaderAsync(Generous);
        });

    [Fact]
    public async Task One_voter_partitioned_away_then_healed_leader_first() =>
        await RunAsync("partition", async (voters, faults) =>
        {
            var leader = await voters.LeaderAsync(Generous);
            voters.Network.Isolate(leader);
            faults.Add(1);
            await Task.Delay(1500);
            voters.Network.Heal(leader);
            await Task.Delay(500);
            var follower = ThreeVoters.Names.First(n => n != voters.Running.FirstOrDefault(r => r.IsLeader)?.Name);
            voters.Network.Isolate(follower);
            faults.Add(1);
            await Task.Delay(1500);
            voters.Network.Heal(follower);
        });

    private async Task RunAsync(string scenario, Func<ThreeVoters, List<int>, Task> inject)
    {
        await using var voters = new ThreeVoters { Timeout = TimeSpan.FromSeconds(2), SnapshotEvery = 50 };
        foreach (var name in ThreeVoters.Names) await voters.StartAsync(name);
        await voters.LeaderAsync(Generous);
        var history = new HistoryRecorder();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(() => ClientAsync(c, voters, history, stop.Token))).ToList();
        var faults = new List<int>();
        await inject(voters, faults);
        // Settle, then let the clients get a few writes through the healed store, and at least the
        // writes the run must cover (asserted below): on a loaded machine the faults' fixed pauses
        // let few through (36 in one partition run beside stress-ng), so this is waited for, not slept.
        await voters.LeaderAsync(Generous);
        var afterFaults = Acknowledged(history);
        var settled = DateTime.UtcNow + Generous;
        while ((Acknowledged(history) < afterFaults + 5 || Acknowledged(history) <= MinimumAcknowledged)
               && !clients.All(c => c.IsCompleted) && DateTime.UtcNow < settled)
            await Task.Delay(50);
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        // Final reads on a healthy store: every acknowledged write must still be there. A read the
        // store does not answer within its timeout yet (an election under load) is asked again.
        var reader = voters.Running.First();
        foreach (var key in Keys)
        {
            var deadline = DateTime.UtcNow + Generous;
            while (true)
            {
                var call = HistoryRecorder.Now;
                try
                {
                    var value = await reader.GetAsync(Encoding.UTF8.GetBytes(key));
                    history.Add(new Operation(99, key, OperationKind.Get, call, HistoryRecorder.Now, Observed: Text(value)));
                    break;
                }
                catch (StoreUnavailableException) when (DateTime.UtcNow < deadline)
                {
                }
            }
        }

        var ops = history.Operations;
        var run = new Run(
            ops.Count,
            ops.Count(o => !o.Indeterminate && o.Kind != OperationKind.Get),
            ops.Count(o => o.Indeterminate),
            unavailableReads,
            faults.Count);
        output.WriteLine($"{scenario}: {run}");
        var verdict = LinearizabilityChecker.Check(ops);
        Assert.True(verdict.Linearizable, verdict.ToString());
        Assert.True(run.Acknowledged > MinimumAcknowledged, $"the clients got writes through ({run})");
    }

    private int unavailableReads;

    /// <summary>Acknowledged writes a run must cover, faults and all.</summary>
    private const int MinimumAcknowledged = 20;

    private static int Acknowledged(HistoryRecorder history) =>
        history.Operations.Count(o => !o.Indeterminate && o.Kind != OperationKind.Get);

    /// <summary>Operations each client runs at most: bounds the history the checker searches.</summary>
    private const int OperationsPerClient = 250;

    private async Task ClientAsync(int client, ThreeVoters voters, HistoryRecorder history, CancellationToken stop)
    {
        var random = new Random(client * 7919 + 17);
        for (var counter = 0; counter < OperationsPerClient && !stop.IsCancellationRequested; counter++)
        {
            var nodes = voters.Running;
            if (nodes.Count == 0)
            {
                await Task.Delay(20);
                continue;
            }
            var node = nodes[random.Next(nodes.Count)];
            var key = Keys[random.Next(Keys.Length)];
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var value = $"c{client}-{counter}";
            var kind = (OperationKind)random.Next(4) switch
            {
                OperationKind.Delete => OperationKind.CompareAndSet, // two parts compare-and-set, one put, one get
                var k => k,
            };
            // Compare against what this voter has now: often current, sometimes not.
            var expected = kind == OperationKind.CompareAndSet ? Text(node.GetStale(keyBytes)) : null;
            var call = HistoryRecorder.Now;
            try
            {
                switch (kind)
                {
                    case OperationKind.Get:
                        var read = await node.GetAsync(keyBytes);
                        history.Add(new Operation(client, key, kind, call, HistoryRecorder.Now, Observed: Text(read)));
                        break;
                    case OperationKind.Put:
                        await node.WriteAsync(StoreCommand.Put(keyBytes, Encoding.UTF8.GetBytes(value)));
                        history.Add(new Operation(client, key, kind, call, HistoryRecorder.Now, Value: value));
                        break;
                    default:
                        var cas = await node.WriteAsync(StoreCommand.CompareAndSet(
                            keyBytes, expected is null ? null : Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(value)));
                        history.Add(new Operation(client, key, kind, call, HistoryRecorder.Now,
                            Value: value, Expected: expected, Succeeded: cas.Succeeded));
                        break;
                }
            }
            catch (Exception e) when (e is StoreUnavailableException or ObjectDisposedException or OperationCanceledException
                                          or InvalidOperationException)
            {
                // A read without an answer observed nothing; a write without one may have taken
                // effect at any time after its call, or never.
                if (kind == OperationKind.Get) Interlocked.Increment(ref unavailableReads);
                else history.Add(new Operation(client, key, kind, call, long.MaxValue, Value: value, Expected: expected));
                await Task.Delay(50, CancellationToken.None);
            }
        }
    }

    private static string? Text(StoredValue? value) => value is null ? null : Encoding.UTF8.GetString(value.Value);
}
