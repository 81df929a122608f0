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

    [Fact]
    public void AChildIsFoundAtTheHandleItsParentGaveIt_UntilThatHandleIsDropped()
    {
        using var runtime = new ProcessRuntime();
        Guid member = Guid.NewGuid();
        var children = Enumerable.Range(1, 20).Select(serial => runtime.RemoteProcess(new RemoteProcessId(member, serial), "m1")).ToList();
        var parent = new HandleTable(runtime.RemoteProcess(new RemoteProcessId(member, 100), "m1"), parent: null);
        var other = new HandleTable(runtime.RemoteProcess(new RemoteProcessId(member, 200), "m1"), parent: null);

        Assert.Equal(Enumerable.Range(1, 20), children.Select(c => parent.AddChild(c)));
        Assert.Equal(Enumerable.Range(1, 20), children.Select(c => c.HandleInParent));
        Assert.Equal(Enumerable.Range(1, 20), children.Select(c => parent.GetOrAdd(c)));

        // Another table: the handle a child has in its parent's means nothing there.
        Assert.Equal(1, other.GetOrAdd(children[2]));
        Assert.Equal(2, other.GetOrAdd(children[0]));
        Assert.Equal(1, other.GetOrAdd(children[2]));

        // Dropped in the parent: its old number goes to another process, and the child gets a new one.
        Assert.True(parent.Drop(5));
        var stranger = runtime.RemoteProcess(new RemoteProcessId(member, 300), "m1");
        Assert.Equal(5, parent.GetOrAdd(stranger));
        Assert.Equal(21, parent.GetOrAdd(children[4]));
        Assert.Equal(21, parent.GetOrAdd(children[4]));
        Assert.Equal(5, parent.GetOrAdd(stranger));
    }
}
