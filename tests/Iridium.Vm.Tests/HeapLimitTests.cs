namespace Iridium.Vm.Tests;

/// <summary>Per-VM heap caps and the budget shared by the VMs of a process.</summary>
public class HeapLimitTests
{
    /// <summary>ALOC R0 then HLT.</summary>
    private static readonly byte[] Aloc = VmScenario.Image("11 00 00 00 | 05 00 00 00");

    private static (Machine Machine, VmEvent Final) Allocate(Machine machine, int bytes)
    {
        machine.LoadImage(Aloc);
        machine.Registers[0] = bytes;
        return (machine, machine.Run(100));
    }

    private static bool Faulted(VmEvent final) => final.Kind == VmEventKind.Crash && final.Code == (int)FaultCode.Heap;

    [Fact]
    public void AlocPastTheVmsCapFaultsHeapAndSaysWhy()
    {
        var (machine, final) = Allocate(new Machine(heapCap: 1 << 20), (1 << 20) - Machine.InitialHeapSize + 1);
        Assert.True(Faulted(final));
        Assert.Equal(HeapRefusal.VmCap, machine.LastHeapRefusal);
        Assert.Equal(Machine.InitialHeapSize, machine.HeapLength);
        var (exact, ok) = Allocate(new Machine(heapCap: 1 << 20), (1 << 20) - Machine.InitialHeapSize);
        Assert.Equal(VmEventKind.GracefulStop, ok.Kind);
        Assert.Equal(1 << 20, exact.HeapLength);
    }

    [Fact]
    public void TheRefusalDescribesOnlyTheRunThatFaulted()
    {
        var (machine, _) = Allocate(new Machine(heapCap: 1 << 20), 2 << 20);
        Assert.Equal(HeapRefusal.VmCap, machine.LastHeapRefusal);
        // The next run faults HEAP too, but on a LOADM out of range: no limit refused anything.
        machine.LoadImage(VmScenario.Image("00 00 FF FF | 2A 00 01 00 | 05 00 00 00"));
        var final = machine.Run(100);
        Assert.Equal((VmEventKind.Crash, (int)FaultCode.Heap), (final.Kind, final.Code));
        Assert.Equal(HeapRefusal.None, machine.LastHeapRefusal);
    }

    [Fact]
    public void TheHeapsOfAllVmsTogetherStayWithinTheBudget()
    {
        var budget = new HeapBudget(3 << 20);
        var refusals = new List<(long Asked, long Used)>();
        budget.Refused += (asked, used) => refusals.Add((asked, used));
        var first = new Machine(heapCap: 64 << 20, heapBudget: budget);
        var second = new Machine(heapCap: 64 << 20, heapBudget: budget);
        Assert.Equal(VmEventKind.GracefulStop, Allocate(first, 2 << 20).Final.Kind);
        long afterFirst = budget.Used;
        Assert.InRange(afterFirst, 2 << 20, 3 << 20);

        var (_, refused) = Allocate(second, 2 << 20);
        Assert.True(Faulted(refused));
        Assert.Equal(HeapRefusal.Budget, second.LastHeapRefusal);
        Assert.Equal(Machine.InitialHeapSize, second.HeapLength);
        Assert.Equal(afterFirst, budget.Used);            // nothing kept from the refused ALOC
        Assert.NotEmpty(refusals);

        // The first VM ends: its heap goes back, and the second gets its memory.
        long released = 0;
        budget.Released += bytes => released += bytes;
        first.ReleaseHeap();
        Assert.Equal(afterFirst, released);
        Assert.Equal(0, budget.Used);
        Assert.Equal(Machine.InitialHeapSize, first.HeapLength);
        Assert.Equal(VmEventKind.GracefulStop, Allocate(second, 2 << 20).Final.Kind);
        second.ReleaseHeap();
        second.ReleaseHeap();                             // twice is harmless
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void WhenDoublingDoesNotFitTheExactSizeStillMay()
    {
        // 64 + 1 MiB doubles to 2 MiB + 128; with 1.5 MiB of budget only the exact length fits.
        var budget = new HeapBudget(3 << 19);
        var machine = new Machine(heapCap: 64 << 20, heapBudget: budget);
        Assert.Equal(VmEventKind.GracefulStop, Allocate(machine, 1 << 20).Final.Kind);
        Assert.Equal((1 << 20) + Machine.InitialHeapSize, machine.HeapLength);
        Assert.Equal(1 << 20, budget.Used);
    }

    [Fact]
    public void ConcurrentVmsNeverTakeMoreThanTheBudgetBetweenThem()
    {
        // Each ALOC of 3 MiB reserves exactly 3 MiB (the cap stops the doubling): 3 fit in 10 MiB.
        var budget = new HeapBudget(10 << 20);
        var machines = Enumerable.Range(0, 8).Select(_ => new Machine(heapCap: 3 << 20 | Machine.InitialHeapSize, heapBudget: budget)).ToArray();
        var finals = machines.AsParallel().Select(m => Allocate(m, 3 << 20).Final).ToArray();
        Assert.Equal(3, finals.Count(f => f.Kind == VmEventKind.GracefulStop));
        Assert.Equal(9 << 20, budget.Used);
        Assert.All(machines.Where(m => m.LastHeapRefusal != HeapRefusal.None), m => Assert.Equal(HeapRefusal.Budget, m.LastHeapRefusal));
        foreach (var m in machines) m.ReleaseHeap();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void TheArrayLeftBehindByGrowingCountsUntilItIsCollected()
    {
        var budget = new HeapBudget(3 << 20);
        var growing = new Machine(heapCap: 64 << 20, heapBudget: budget);
        Assert.Equal(VmEventKind.GracefulStop, Allocate(growing, 1 << 20).Final.Kind);
        Assert.Equal(1 << 20, budget.Used);

        // Doubling to 2 MiB while the 1 MiB array is still held would pass 3 MiB: the exact
        // length fits. The old array is garbage then, and still counted.
        Assert.Equal(VmEventKind.GracefulStop, Allocate(growing, 1 << 19).Final.Kind);
        Assert.Equal(3 << 19, budget.Used);
        Assert.Equal(1 << 20, budget.Garbage);
        Assert.InRange(budget.Used + budget.Garbage, 0, budget.Limit);

        // Another VM needs the room: the budget collects the garbage, and then it fits.
        var other = new Machine(heapCap: 64 << 20, heapBudget: budget);
        Assert.Equal(VmEventKind.GracefulStop, Allocate(other, 1 << 20).Final.Kind);
        Assert.Equal(0, budget.Garbage);
        Assert.Equal(5 << 19, budget.Used);
        growing.ReleaseHeap();
        other.ReleaseHeap();
        Assert.Equal(0, budget.Used);
    }
}
