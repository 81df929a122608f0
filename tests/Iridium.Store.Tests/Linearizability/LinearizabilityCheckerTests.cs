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

    private static bool Linearizable(params Operation[] ops) => LinearizabilityChecker.Check(ops).Linearizable;

    [Fact]
    public void A_read_after_a_completed_write_sees_it() =>
        Assert.True(Linearizable(Put(0, 0, 10, "1"), Get(1, 20, 30, "1")));

    [Fact]
    public void A_read_after_a_completed_write_that_sees_the_old_value_is_a_stale_read() =>
        Assert.False(Linearizable(Put(0, 0, 10, "1"), Get(1, 20, 30, null)));

    [Fact]
    public void A_read_concurrent_with_a_write_may_see_either_value()
    {
        Assert.True(Linearizable(Put(0, 0, 100, "1"), Get(1, 10, 20, null)));
        Assert.True(Linearizable(Put(0, 0, 100, "1"), Get(1, 10, 20, "1")));
    }

    [Fact]
    public void Values_cannot_go_back_in_time_between_two_reads()
    {
        // The write overlaps both reads, but once one read saw it a later read cannot miss it.
        Assert.False(Linearizable(Put(0, 0, 100, "1"), Get(1, 10, 20, "1"), Get(2, 30, 40, null)));
        Assert.True(Linearizable(Put(0, 0, 100, "1"), Get(1, 10, 20, null), Get(2, 30, 40, "1")));
    }

    [Fact]
    public void Two_concurrent_compare_and_sets_from_absent_cannot_both_win()
    {
        Assert.False(Linearizable(Cas(0, 0, 50, null, "a", true), Cas(1, 10, 60, null, "b", true)));
        Assert.True(Linearizable(Cas(0, 0, 50, null, "a", true), Cas(1, 10, 60, null, "b", false), Get(2, 70, 80, "a")));
        Assert.False(Linearizable(Cas(0, 0, 50, null, "a", true), Cas(1, 10, 60, null, "b", false), Get(2, 70, 80, "b")));
    }

    [Fact]
    public void A_counter_of_compare_and_sets_is_linearizable_only_in_a_chain()
    {
        Assert.True(Linearizable(
            Cas(0, 0, 10, null, "1", true), Cas(1, 5, 30, "1", "2", true), Cas(2, 6, 40, "2", "3", true), Get(0, 50, 60, "3")));
        // Two increments from 1 cannot both succeed.
        Assert.False(Linearizable(
            Cas(0, 0, 10, null, "1", true), Cas(1, 20, 30, "1", "2", true), Cas(2, 20, 30, "1", "2", true)));
    }

    [Fact]
    public void Deletes_report_whether_the_key_existed()
    {
        Assert.True(Linearizable(Put(0, 0, 10, "1"), Del(1, 20, 30, true), Del(2, 40, 50, false), Get(0, 60, 70, null)));
        Assert.False(Linearizable(Put(0, 0, 10, "1"), Del(1, 20, 30, false)));
    }

    [Fact]
    public void A_write_that_never_returned_may_have_happened_or_not()
    {
        var lost = Put(0, 0, long.MaxValue, "1");
        Assert.True(Linearizable(lost, Get(1, 20, 30, null)));
        Assert.True(Linearizable(lost, Get(1, 20, 30, "1")));
        // ...but once seen it stays.
        Assert.False(Linearizable(lost, Get(1, 20, 30, "1"), Get(1, 40, 50, null)));
        // ...and it cannot have happened before it was called.
        Assert.False(Linearizable(Get(1, 0, 10, "1"), Put(0, 20, long.MaxValue, "1")));
        var lostCas = Cas(0, 0, long.MaxValue, null, "x", false);
        Assert.True(Linearizable(lostCas, Get(1, 20, 30, "x")));
        Assert.True(Linearizable(lostCas, Get(1, 20, 30, null)));
    }

    [Fact]
    public void Keys_are_checked_independently()
    {
        Assert.True(Linearizable(Put(0, 0, 10, "1", "x"), Put(0, 20, 30, "2", "y"), Get(1, 40, 50, "1", "x"), Get(1, 60, 70, "2", "y")));
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
