namespace Iridium.Store.Tests.Linearizability;

/// <summary>The checker on histories whose answer is known by hand, and on generated ones.</summary>
public sealed class LinearizabilityCheckerTests
{
    private static Operation Get(int c, long call, long ret, string? observed, string key = "k") =>
        new(c, key, OperationKind.Get, call, ret, Observed: observed);

    private static Operation Put(int c, long call, long ret, string value, string key = "k") =>
        new(c, key, OperationKind.Put, call, ret, Value: value);

    private static Operation Cas(int c, long call, long ret, string? expected, string value, bool swapped, string key = "k") =>
        new(c, key, OperationKind.CompareAndSet, call, ret, Value: value, Expected: expected, Succeeded: swapped);

    private static Operation Del(int c, long call, long ret, bool existed) =>
        new(c, "k", OperationKind.Delete, call, ret, Succeeded: existed);

    public static TheoryData<string> Cases() => new(KnownHistories.Load().Select(c => c.Name));

    /// <summary>The histories of histories.json, whose answers were worked out by hand; the e2e
    /// tests' checker (tests/e2e/linearizability.py) must give the same answers on the same file.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void A_known_history_gets_its_known_answer(string name)
    {
        var known = KnownHistories.Load().Single(c => c.Name == name);
        Assert.Equal(known.Linearizable, LinearizabilityChecker.Check(known.History).Linearizable);
    }

    [Fact]
    public void A_verdict_names_the_key_that_no_order_explains()
    {
        var verdict = LinearizabilityChecker.Check([Put(0, 0, 10, "1", "x"), Put(0, 20, 30, "2", "y"), Get(1, 40, 50, null, "y")]);
        Assert.False(verdict.Linearizable);
        Assert.Equal("y", verdict.Key);
    }

    [Fact]
    public void Histories_generated_from_a_sequential_run_with_widened_intervals_are_linearizable()
    {
        // Each operation really happens at one instant of a sequential run; its observed interval is
        // widened around that instant at random, which overlaps many of them.
        var random = new Random(12345);
        for (var round = 0; round < 50; round++)
        {
            string? state = null;
            var ops = new List<Operation>();
            for (var t = 0; t < 60; t++)
            {
                var at = t * 10L;
                var call = at - random.Next(0, 40);
                var ret = at + random.Next(0, 40);
                var client = random.Next(6);
                switch (random.Next(4))
                {
                    case 0:
                        ops.Add(Get(client, call, ret, state));
                        break;
                    case 1:
                        state = $"v{t}";
                        ops.Add(Put(client, call, ret, state));
                        break;
                    case 2:
                        var expected = random.Next(2) == 0 ? state : "nope";
                        var swapped = expected == state;
                        if (swapped) state = $"c{t}";
                        ops.Add(Cas(client, call, swapped ? ret : ret, expected, $"c{t}", swapped));
                        break;
                    default:
                        ops.Add(Del(client, call, ret, state is not null));
                        state = null;
                        break;
                }
            }
            Assert.True(LinearizabilityChecker.Check(ops).Linearizable, $"round {round}");
            // Breaking one read's output (to a value never written) must be caught.
            var firstGet = ops.FindIndex(o => o.Kind == OperationKind.Get);
            if (firstGet < 0) continue;
            ops[firstGet] = ops[firstGet] with { Observed = "never-written" };
            Assert.False(LinearizabilityChecker.Check(ops).Linearizable, $"round {round}, broken");
        }
    }
}
