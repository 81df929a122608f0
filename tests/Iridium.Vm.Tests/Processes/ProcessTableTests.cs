namespace Iridium.Vm.Tests.Processes;

/// <summary>The process table: found by serial while living, listed in serial order, across its shards.</summary>
public class ProcessTableTests
{
    [Fact]
    public void ProcessesAreFoundByTheirSerialUntilRemoved_AndListedInSerialOrder()
    {
        using var runtime = new ProcessRuntime();
        Guid member = Guid.NewGuid();
        // Serials spread over many runs of the shards, and far apart (the same shard, a lap later).
        var serials = Enumerable.Range(1, 3_000).Select(i => (long)i * 97).Concat([1L << 40, (1L << 40) + 262_144]).ToList();
        var processes = serials.Select(serial => runtime.RemoteProcess(new RemoteProcessId(member, serial), "m1")).ToList();
        var table = new ProcessTable();
        foreach (var process in processes.AsEnumerable().Reverse()) table.Add(process);

        Assert.All(processes, p => Assert.Same(p, table.Find(p.Serial)));
        Assert.Null(table.Find(98));
        Assert.Equal(serials, table.List().Select(p => p.Serial));

        foreach (var process in processes.Where((_, i) => i % 2 == 0)) table.Remove(process);
        Assert.All(processes.Where((_, i) => i % 2 == 0), p => Assert.Null(table.Find(p.Serial)));
        Assert.All(processes.Where((_, i) => i % 2 == 1), p => Assert.Same(p, table.Find(p.Serial)));
        Assert.Equal(serials.Where((_, i) => i % 2 == 1), table.List().Select(p => p.Serial));
    }
}
