using Iridium.Vm;
using static Iridium.Assembler.Tests.TestSupport;

namespace Iridium.Assembler.Tests;

/// <summary>The programs in examples/ run on the VM and produce what their header comment promises.</summary>
public class ExampleProgramTests
{
    private static (Machine Machine, VmEvent Stop, string Output) RunExample(string name)
    {
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", name));
        var result = Run(AssembleOk(source));
        Assert.Equal(VmEventKind.GracefulStop, result.Stop.Kind);
        Assert.Equal(0, result.Stop.Code);
        return result;
    }

    /// <summary>What each example prints. Every file in examples/ must have a row.</summary>
    public static TheoryData<string, string> ExpectedOutputs => new()
    {
        { "hello.iasm", "Hello, world!\n" },
        { "count.iasm", "55\n" },
        { "fib.iasm", "6765\n" },
        { "sieve.iasm", "25\n" },
        { "float.iasm", "28.274336283185843\nbig circle\n" },
        { "pingpong.iasm", "pong\n" },
        { "ring.iasm", "10000\n" },
        // With no store (as under `iridium run`); tests/Iridium.Vm.Tests runs it with one.
        { "store-counter.iasm", "store-counter: the store is unavailable\n" },
        {
            "supervisor.iasm",
            "worker 1 starts\nworker 1 crashed (reason 2): restarting\nworker 2 starts\nworker 2 crashed (reason 2): restarting\n"
            + "worker 3 starts\nworker 3 done\nworker 3 halted (reason 0): supervisor done\n"
        },
    };

    [Theory, MemberData(nameof(ExpectedOutputs))]
    public void EachExamplePrintsItsResult(string name, string output) => Assert.Equal(output, RunExample(name).Output);

    /// <summary>Examples that never end (for Ctrl-C and !continue), with what they print before they loop.</summary>
    public static TheoryData<string, string> NeverEnding => new()
    {
        { "forever.iasm", "spinning until Ctrl-C\n" },
    };

    [Theory, MemberData(nameof(NeverEnding))]
    public void ANeverEndingExample_PrintsItsLine_ThenLoopsOnOneInstruction(string name, string output)
    {
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", name));
        var (machine, stop, printed) = Run(AssembleOk(source), maxSteps: 100_000);
        Assert.Equal((VmEventKind.Crash, (int)FaultCode.Steps), (stop.Kind, stop.Code));
        Assert.Equal(output, printed);
        // Every interrupt lands on the same instruction, so the README can show the line it prints.
        int pc = machine.Pc;
        machine.Run(1001);
        Assert.Equal(pc, machine.Pc);
    }

    /// <summary>Examples that serve messages until they are killed: each has its own test below.</summary>
    private static readonly string[] Servers = ["counter-server.iasm"];

    [Fact]
    public void EveryExampleHasAnExpectedOutput()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.iasm").Select(Path.GetFileName);
        Assert.Equal(files.Order(StringComparer.Ordinal),
            ExpectedOutputs.Concat(NeverEnding).Select(row => (string)row[0]).Concat(Servers).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CounterServer_AnswersEveryMessageWithTheCount()
    {
        var source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", "counter-server.iasm"));
        using var runtime = new ProcessRuntime();
        var machine = new Machine();
        machine.LoadImage(AssembleOk(source));
        var server = runtime.Start(machine, Stream.Null);
        Assert.NotNull(server);
        Process? counter = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); counter is null && DateTime.UtcNow < deadline; await Task.Delay(10)) counter = runtime.Lookup("counter");
        Assert.NotNull(counter);

        using var caller = runtime.OpenCorrespondent(owner: null)!;
        var answers = new List<string>();
        foreach (string message in new[] { "a", "", new string('x', 65536), "b" })
        {
            Assert.True(caller.Send(counter, System.Text.Encoding.UTF8.GetBytes(message)));
            answers.Add(System.Text.Encoding.UTF8.GetString(await caller.ReceiveAsync(TimeSpan.FromSeconds(20)) ?? []));
        }
        Assert.Equal(["1", "2", "3", "4"], answers);
        Assert.True(runtime.Kill(server.Serial));
        Assert.True(server.Group.WaitForEnd(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void Count_SumsOneToTen()
    {
        var m = RunExample("count.iasm").Machine;
        Assert.Equal([10, 55, 10], m.Registers[..3].ToArray());
    }

    [Fact]
    public void Fib_ComputesFib20Recursively()
    {
        var m = RunExample("fib.iasm").Machine;
        Assert.Equal(6765, m.Registers[1]);
        Assert.Equal(0, m.StackDepth);
    }

    [Fact]
    public void Sieve_Counts25PrimesBelow100()
    {
        var m = RunExample("sieve.iasm").Machine;
        Assert.Equal(25, m.Registers[20]);
        Assert.Equal(64 + 400, m.HeapLength);
    }

    [Fact]
    public void Float_ComputesTheAreaOfACircle()
    {
        var m = RunExample("float.iasm").Machine;
        Assert.Equal(3.0 * 3.0 * (355.0 / 113.0), m.FloatRegisters[2]);
        Assert.Equal(28.274336283185843, m.FloatRegisters[2], 12);
    }

    [Fact]
    public void EveryExampleStatesItsExpectedResultAtTheTop()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.iasm"))
        {
            var head = File.ReadLines(file).Take(3).ToArray();
            Assert.Contains(head, line => line.StartsWith("; Expected:", StringComparison.Ordinal));
        }
    }
}
