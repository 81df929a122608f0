using System.Text;

namespace Iridium.Vm.Tests.Processes;

/// <summary>
/// A hosted root (the program of `iridium run`) runs on its host's thread until an instruction
/// must wait; the rest of its run then goes on the scheduler, and the host's thread waits for
/// its end: the run's result, budget and interrupt are the host's as before.
/// </summary>
public class HostedRootTests
{
    // Waits (nothing comes) until the clock passes its second, then counts to 10 and halts:
    // LOAD, LOAD, RECV (once), LOAD, LOAD, 10 x (INC, LT, DJMPE), PRTI, HLT = 37 steps.
    private const string WaitThenCount = """
        .code
                load $7 #1000
                load $8 #0
                recv $9 $7 $8
                load $1 #0
                load $2 #10
        loop:   inc $1
                lt $1 $2
                djmpe @loop
                prti $1
                hlt
        """;

    [Fact]
    public async Task AfterItsFirstWait_TheRootRunsOnASchedulerThread_AndItsHostGetsTheResult()
    {
        var clock = new ManualClock();
        var output = new ThreadRecordingStream();
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }, clock);
        var machine = Hosted(WaitThenCount, runtime, output);
        var running = Task.Run(() => machine.Run());
        ProcessGroupRun.WaitUntil(() => machine.Process is { State: ProcessRunState.Waiting } && clock.PendingTimers == 1, "the RECV waits");
        Assert.False(running.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var final = await running.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(VmEventKind.GracefulStop, final.Kind);
        Assert.Equal(0, final.Code);
        Assert.Equal("10", output.Text);
        // The print came after the wait: on the scheduler's thread, not the host's.
        Assert.Equal(["iridium scheduler 0"], output.Writers);
        Assert.Equal(10, machine.Registers[1]);
        Assert.Equal(ProcessRunState.Running, machine.Process!.State);   // back with its host, which ends it
        Assert.Same(machine.Process.Group, runtime.EndHosted(machine, machine.LastResult));
        Assert.Equal(DownReason.Halted, machine.Process.EndReason);
    }

    [Theory]
    [InlineData(37, VmEventKind.GracefulStop, 0)]
    [InlineData(36, VmEventKind.Crash, (int)FaultCode.Steps)]
    public async Task TheRunsStepBudgetGoesOnAfterTheWait_WhichCostsNone(long maxSteps, VmEventKind kind, int code)
    {
        var clock = new ManualClock();
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }, clock);
        var machine = Hosted(WaitThenCount, runtime, new MemoryStream());
        var running = Task.Run(() => machine.Run(maxSteps));
        ProcessGroupRun.WaitUntil(() => machine.Process is { State: ProcessRunState.Waiting } && clock.PendingTimers == 1, "the RECV waits");
        clock.Advance(TimeSpan.FromSeconds(1));
        var final = await running.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(kind, final.Kind);
        Assert.Equal(code, final.Code);
        if (kind == VmEventKind.Crash) Assert.Equal("HLT", InstructionFormatter.Format(machine.Program[machine.Pc..]));
    }

    [Fact]
    public async Task AnInterruptStopsTheRootComputingOnTheScheduler_AndItsHostCanContinueIt()
    {
        var clock = new ManualClock();
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }, clock);
        var machine = Hosted("""
            .code
                    load $7 #1000
                    load $8 #0
                    recv $9 $7 $8
                    load $1 #0
            loop:   inc $1
                    load $0 @loop
                    jmp $0
            """, runtime, new MemoryStream());
        using var interrupt = new CancellationTokenSource();
        var running = Task.Run(() => machine.Run(interrupt: interrupt.Token));
        ProcessGroupRun.WaitUntil(() => machine.Process is { State: ProcessRunState.Waiting } && clock.PendingTimers == 1, "the RECV waits");
        clock.Advance(TimeSpan.FromSeconds(1));
        ProcessGroupRun.WaitUntil(() => machine.InterruptibleSteps > 100_000, "the loop runs on the scheduler");
        interrupt.Cancel();
        var final = await running.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(VmEventKind.Interrupted, final.Kind);
        int counted = machine.Registers[1];
        Assert.True(counted > 0);
        Assert.NotEqual(ProcessRunState.Ended, machine.Process!.State);
        // The host resumes it where it stopped, on its own thread (the loop never waits).
        var resumed = machine.Continue(300);
        Assert.Equal(ExecutionStatus.Running, resumed.Status);
        Assert.Equal(counted + 100, machine.Registers[1]);
    }

    [Fact]
    public async Task AKillEndsTheHandedOverRun_AsInterrupted_AndTheProcessWithIt()
    {
        var clock = new ManualClock();
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }, clock);
        var machine = Hosted(WaitThenCount, runtime, new MemoryStream());
        var running = Task.Run(() => machine.Run());
        ProcessGroupRun.WaitUntil(() => machine.Process is { State: ProcessRunState.Waiting }, "the RECV waits");
        Assert.True(runtime.Kill(machine.Process!.Serial));
        var final = await running.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(VmEventKind.Interrupted, final.Kind);
        Assert.Equal("RECV $9 $7 $8", InstructionFormatter.Format(machine.Program[machine.Pc..]));
        Assert.Equal(ProcessRunState.Ended, machine.Process.State);
        Assert.Equal(DownReason.Killed, machine.Process.EndReason);
        Assert.True(machine.Process.Group.HasEnded);
    }

    [Fact]
    public async Task ARingThroughTheRoot_PassesItsTokenOnTheSchedulersThreads()
    {
        // examples/ring.iasm: 100 processes, 100 rounds; the root prints the hops at the end.
        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "programs", "examples", "ring.iasm"));
        var output = new ThreadRecordingStream();
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 2 });
        var machine = Hosted(source.Replace(".data\n", ""), runtime, output);
        var final = await Task.Run(() => machine.Run()).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(VmEventKind.GracefulStop, final.Kind);
        Assert.True(runtime.EndHosted(machine, machine.LastResult)!.WaitForEnd(TimeSpan.FromMinutes(2)));
        Assert.Equal("10000\n", output.Text);
        Assert.All(output.Writers, name => Assert.StartsWith("iridium scheduler ", name));
    }

    private static Machine Hosted(string source, ProcessRuntime runtime, Stream output)
    {
        var assembled = Assembler.Assembler.Assemble(".data\n" + source, "test.iasm");
        Assert.True(assembled.Success, assembled.RenderErrors());
        var machine = new Machine { Runtime = runtime, Output = output };
        machine.LoadImage(assembled.Image!);
        runtime.Adopt(machine);
        return machine;
    }

    /// <summary>Keeps what is written and the name of each thread that wrote it.</summary>
    private sealed class ThreadRecordingStream : WriteOnlyStream
    {
        private readonly MemoryStream _bytes = new();
        private readonly List<string> _writers = [];

        public string Text
        {
            get
            {
                lock (_bytes) return Encoding.UTF8.GetString(_bytes.ToArray());
            }
        }

        public IReadOnlyList<string> Writers
        {
            get
            {
                lock (_bytes) return [.. _writers];
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            lock (_bytes)
            {
                _bytes.Write(buffer);
                _writers.Add(Thread.CurrentThread.Name ?? "(unnamed)");
            }
        }

        public override void Flush()
        {
        }
    }
}
