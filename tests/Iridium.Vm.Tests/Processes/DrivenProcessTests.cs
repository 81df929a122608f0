namespace Iridium.Vm.Tests.Processes;

/// <summary>
/// Driven processes (the REPL's VMs): runs their host asks for, on the scheduler, one at a time;
/// idle between runs; interrupted in a waiting RECV; killed at once when idle.
/// </summary>
public class DrivenProcessTests
{
    private static (ProcessRuntime Runtime, Machine Machine, Process Process) Driven(string code, TimeProvider? clock = null)
    {
        var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }, clock);
        var assembled = Assembler.Assembler.Assemble(".data\n.code\n" + code, "test.iasm");
        Assert.True(assembled.Success, assembled.RenderErrors());
        var machine = new Machine();
        machine.LoadImage(assembled.Image!);
        Assert.Null(machine.Start());
        var process = runtime.StartDriven(machine, Stream.Null)!;
        return (runtime, machine, process);
    }

    private static Task<ExecutionResult> Wait(Task<ExecutionResult> run) => run.WaitAsync(TimeSpan.FromMinutes(2));

    [Fact]
    public async Task ARunEndsAtItsBudget_AndTheProcessLivesOnIdle()
    {
        var (runtime, machine, process) = Driven("load $1 #1\nload $2 #2\nhlt\n");
        using var _ = runtime;
        var first = await Wait(runtime.RunAsync(process, 1));
        Assert.Equal(ExecutionStatus.Running, first.Status);   // the run's own budget: one step
        Assert.Equal(1, machine.Registers[1]);
        Assert.Equal(0, machine.Registers[2]);
        Assert.Equal(ProcessRunState.Waiting, process.State);
        Assert.False(process.IsInRun);

        var rest = await Wait(runtime.RunAsync(process, long.MaxValue));
        Assert.Equal(ExecutionStatus.Stopped, rest.Status);   // HLT ends the run, not the process
        Assert.Equal(2, machine.Registers[2]);
        Assert.Equal(1, runtime.Count);
        Assert.Equal(3, process.Steps);
    }

    [Fact]
    public async Task AnInterrupt_EndsAWaitingRecv_WithPcOnIt()
    {
        var (runtime, machine, process) = Driven("load $7 #-1\nload $8 #0\nrecv $9 $7 $8\nhlt\n");
        using var _ = runtime;
        using var interrupt = new CancellationTokenSource();
        var run = runtime.RunAsync(process, long.MaxValue, interrupt.Token);
        ProcessGroupRun.WaitUntil(() => process is { State: ProcessRunState.Waiting, IsInRun: true }, "the RECV waits");
        long steps = process.Steps;
        await Task.Delay(50);
        Assert.False(run.IsCompleted);
        Assert.Equal(steps, process.Steps);

        interrupt.Cancel();
        var result = await Wait(run);
        Assert.Equal(ExecutionStatus.Interrupted, result.Status);
        Assert.Equal(result.Pc, machine.Pc);
        Assert.Equal("RECV $9 $7 $8", InstructionFormatter.Format(machine.Program[machine.Pc..]));
        Assert.Equal(result, machine.LastResult);
        Assert.False(process.IsInRun);
    }

    [Fact]
    public async Task ALetterThatComesBetweenRuns_Waits_ForTheNextRunsRecv()
    {
        // The parent spawns a child that sends it one message and ends; the parent's next run reads it.
        var (runtime, machine, process) = Driven("""
                    load $1 @child
                    load $2 #-1
                    spawn $1 $0 $2
                    hlt
                    load $7 #0          ; do not wait: the letter is there already
                    load $8 #0
                    recv $9 $7 $8
                    hlt
            child:  load $1 #1           ; the parent
                    load $2 #0
                    load $3 #4
                    send $1 $2 $3
                    hlt
            """);
        using var _ = runtime;
        Assert.Equal(ExecutionStatus.Stopped, (await Wait(runtime.RunAsync(process, long.MaxValue))).Status);
        ProcessGroupRun.WaitUntil(() => runtime.Count == 1 && process.MailboxLength == 1, "the child has sent and ended");
        Assert.Equal(ProcessRunState.Waiting, process.State);   // the letter did not run the idle process

        machine.Pc += 4;   // past the HLT
        Assert.Equal(ExecutionStatus.Stopped, (await Wait(runtime.RunAsync(process, long.MaxValue))).Status);
        Assert.True(machine.EqualFlag);
        Assert.Equal(4, machine.Registers[7]);
        Assert.Equal(1, machine.Registers[9]);
    }

    [Fact]
    public async Task AKill_EndsAnIdleProcessAtOnce_AndRefusesLaterRuns()
    {
        var (runtime, machine, process) = Driven("hlt\n");
        using var _ = runtime;
        int told = 0;
        var told2 = runtime.StartDriven(new Machine(), Stream.Null, () => told++)!;
        Assert.True(runtime.Kill(told2.Serial));
        Assert.Equal(1, told);
        Assert.Equal(ProcessRunState.Ended, told2.State);
        Assert.Equal(DownReason.Killed, told2.EndReason);

        Assert.True(runtime.Kill(process.Serial));
        Assert.Equal(ExecutionStatus.Interrupted, (await Wait(runtime.RunAsync(process, 10))).Status);
        Assert.Equal(0, runtime.Count);
    }

    [Fact]
    public async Task AKillDuringARun_EndsTheRunAndTheProcess()
    {
        var (runtime, _, process) = Driven("load $7 #-1\nload $8 #0\nrecv $9 $7 $8\nhlt\n");
        using var _r = runtime;
        var run = runtime.RunAsync(process, long.MaxValue);
        ProcessGroupRun.WaitUntil(() => process is { State: ProcessRunState.Waiting, IsInRun: true }, "the RECV waits");
        Assert.True(runtime.Kill(process.Serial));
        Assert.Equal(ExecutionStatus.Interrupted, (await Wait(run)).Status);
        Assert.Equal(ProcessRunState.Ended, process.State);
        Assert.Equal(0, runtime.Count);
    }

    [Fact]
    public void ATimerThatFiresEarly_IsArmedAgain_AndTheRecvTimesOutOnTime()
    {
        var clock = new ManualClock(early: TimeSpan.FromMilliseconds(1));
        using var run = new ProcessGroupRun("""
    .code
            load $7 #1000
            load $8 #0
            recv $9 $7 $8
            load $1 #0
            prti $1
            hlt
    """, new ProcessLimits { Schedulers = 1 }, clock);
        ProcessGroupRun.WaitUntil(() => run.Root.State == ProcessRunState.Waiting && clock.PendingTimers == 1, "the RECV waits");
        clock.Advance(TimeSpan.FromMilliseconds(999));   // the timer fires, a millisecond early
        ProcessGroupRun.WaitUntil(() => clock.PendingTimers == 1, "the timer is armed again");
        Assert.Equal(ProcessRunState.Waiting, run.Root.State);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("0", run.Output());
    }
}
