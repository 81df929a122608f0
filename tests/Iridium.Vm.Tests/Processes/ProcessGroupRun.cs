using System.Text;

namespace Iridium.Vm.Tests.Processes;

/// <summary>A program assembled and started as the scheduled root of a group on a runtime of its own.</summary>
internal sealed class ProcessGroupRun : IDisposable
{
    private readonly MemoryStream _output = new();

    public ProcessGroupRun(string source, ProcessLimits? limits = null, TimeProvider? clock = null, bool reference = false, IStoreAccess? store = null, HeapBudget? heapBudget = null)
    {
        var assembled = Assembler.Assembler.Assemble(".data\n" + source, "test.iasm");
        Assert.True(assembled.Success, assembled.RenderErrors());
        Runtime = new ProcessRuntime(limits ?? new ProcessLimits { Schedulers = 1 }, clock) { Store = store };
        Machine = new Machine(heapBudget: heapBudget) { Runtime = Runtime, UseReferenceInterpreter = reference };
        Machine.LoadImage(assembled.Image!);
        Root = Runtime.Start(Machine, _output) ?? throw new InvalidOperationException("not started");
    }

    public ProcessRuntime Runtime { get; }

    public Machine Machine { get; }

    public Process Root { get; }

    /// <summary>Waits (generously) for every member to end and returns the group's output.</summary>
    public string Output()
    {
        Assert.True(Root.Group.WaitForEnd(TimeSpan.FromMinutes(2)), "the group did not end; output so far: " + Encoding.UTF8.GetString(_output.ToArray()));
        lock (Root.Group.OutputLock) return Encoding.UTF8.GetString(_output.ToArray());
    }

    /// <summary>Waits until <paramref name="condition"/> holds (a generous deadline for a loaded machine).</summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting until " + what);
            Thread.Sleep(1);
        }
    }

    public void Dispose() => Runtime.Dispose();
}
