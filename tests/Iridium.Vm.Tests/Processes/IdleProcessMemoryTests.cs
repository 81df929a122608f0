namespace Iridium.Vm.Tests.Processes;

/// <summary>The tests that measure this process's managed memory run alone: any other test's allocations would blur it.</summary>
[CollectionDefinition(nameof(ManagedMemory), DisableParallelization = true)]
public sealed class ManagedMemory;

/// <summary>
/// What an idle process costs: the difference of the managed heap with 20,000 of them waiting
/// and after they have ended. Alone in its collection, since a test running beside it (allocating
/// or freeing megabytes between the two readings) moved the figure out of range about once in a
/// full run.
/// </summary>
[Collection(nameof(ManagedMemory))]
public class IdleProcessMemoryTests
{
    [Fact]
    public void AnIdleProcessCostsAtMostTwoKibibytes()
    {
        // Spawned processes waiting in RECV (64-byte heap, empty stack): managed bytes per process.
        const int count = 20_000;
        var limits = new ProcessLimits { Schedulers = 1 };
        using var run = new ProcessGroupRun($"""
    .code
            load $1 @child
            load $3 #{count}
            load $4 #0
    more:   load $2 #-1
            spawn $1 $0 $2
            dec $3
            gt $3 $4
            djmpe @more
            load $7 #-1
            recv $9 $7 $8
            hlt
    child:  load $7 #-1
            recv $9 $7 $8
            hlt
    """, limits);
        ProcessGroupRun.WaitUntil(() => run.Runtime.Count == count + 1 && run.Runtime.List().All(p => p.State == ProcessRunState.Waiting), "every process waits");
        long before = GC.GetTotalMemory(forceFullCollection: true);
        run.Runtime.KillGroup(run.Root.Group);
        Assert.True(run.Root.Group.WaitForEnd(TimeSpan.FromMinutes(2)));
        long after = GC.GetTotalMemory(forceFullCollection: true);
        long perProcess = (before - after) / count;
        Assert.InRange(perProcess, 1, 2048);
    }
}
