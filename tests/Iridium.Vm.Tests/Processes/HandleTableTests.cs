namespace Iridium.Vm.Tests.Processes;

/// <summary>
/// A handle table past its linear search (its index by process): the same process keeps its
/// handle, different processes with the same serial (on different members) get different ones.
/// </summary>
public class HandleTableTests
{
    [Fact]
    public void ProcessesKeepTheirHandlesAndSameSerialsOnOtherMembersAreDifferentProcesses()
    {
        using var runtime = new ProcessRuntime();
        Guid first = Guid.NewGuid(), second = Guid.NewGuid();
        // Serials 1..20 on two members: 40 processes whose serials collide in pairs.
        var processes = Enumerable.Range(1, 20)
            .SelectMany(serial => new[] { runtime.RemoteProcess(new RemoteProcessId(first, serial), "m1"), runtime.RemoteProcess(new RemoteProcessId(second, serial), "m2") })
            .ToList();
        var self = runtime.RemoteProcess(new RemoteProcessId(first, 1000), "m1");
        var table = new HandleTable(self, parent: null);

        // Lambdas, not the method group: that would run on a boxed copy of the struct.
        var handles = processes.Select(p => table.GetOrAdd(p)).ToList();
        Assert.Equal(Enumerable.Range(1, 40), handles);
        Assert.Equal(handles, processes.Select(p => table.GetOrAdd(p)));
        Assert.Equal(0, table.GetOrAdd(self));

        Assert.True(table.Drop(7));
        Assert.Equal(7, table.GetOrAdd(runtime.RemoteProcess(new RemoteProcessId(second, 99), "m2")));
        Assert.Equal(41, table.GetOrAdd(processes[6]));   // dropped: it is a new handle now
        Assert.True(table.TryGet(41, out var again) && ReferenceEquals(again, processes[6]));
    }
}
