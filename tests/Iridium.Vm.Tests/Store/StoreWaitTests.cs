using Iridium.Vm.Tests.Processes;

namespace Iridium.Vm.Tests.Store;

/// <summary>
/// A store instruction waits for its answer as RECV waits for a letter: holding no thread (other
/// processes run meanwhile, on one scheduler thread), taking no steps, ended by a kill or an
/// interrupt, and not woken early by a letter. The store here holds its answers until the test
/// opens it.
/// </summary>
public class StoreWaitTests
{
    /// <summary>heap[0..) = the record of the key "n" (its length at 0, its byte at 4): 5 instructions.</summary>
    private const string KeyRecord = """
                load $20 #4
                load $21 @key
                strh $20 $21 $22
                load $23 #0
                setm $23 $22
        """;

    private const string Data = "key: .asciiz 'n'\n.code\n";

    [Theory]
    [InlineData(16, "Halted")]
    [InlineData(15, "Crashed")]
    public void OtherProcessesRunWhileOneWaits_AndTheWaitTakesNoSteps(long maxSteps, string reason)
    {
        var store = new FakeStore();
        store.Set("n", "hello");
        store.Close();
        using var run = new ProcessGroupRun(Data + """
                    load $1 @child
                    load $2 #-1
                    spawn $1 $0 $2          ; the child runs while this process waits
            """ + "\n" + KeyRecord + "\n" + """
                    load $24 #16
                    load $25 #16
                    kget $23 $24 $25        ; waits: the store holds its answer
                    prti $25
                    load $26 #10
                    prtc $26
                    hlt                     ; 16 steps in all (load #-1 is two), KGET counted once
            child:  load $5 #7
                    prti $5
                    load $5 #10
                    prtc $5
                    hlt
            """, new ProcessLimits { Schedulers = 1, MaxSteps = maxSteps }, store: store);

        ProcessGroupRun.WaitUntil(() => store.Waiting == 1 && run.Runtime.Count == 1 && run.Root.State == ProcessRunState.Waiting,
            "the child has ended on the one scheduler thread while its parent waits in KGET");
        Assert.Equal(11, run.Root.Steps);   // everything before the KGET; the KGET itself not yet
        store.Open();
        string output = run.Output();
        Assert.Equal(reason, run.Root.EndReason.ToString());
        if (reason == "Halted")
        {
            Assert.Equal("7\n5\n", output);
            Assert.Equal(16, run.Root.Steps);
        }
        Assert.Equal(1, store.Asked);
    }

    [Fact]
    public void AHundredProcessesWaitAtOnce_OnOneSchedulerThread()
    {
        var store = new FakeStore();
        store.Close();
        using var run = new ProcessGroupRun(Data + """
                    load $1 @child
                    load $2 #-1
                    load $3 #100
            more:   spawn $1 $0 $2
                    load $2 #-1
                    dec $3
                    load $4 #0
                    gt $3 $4
                    djmpe @more
                    hlt
            child:
            """ + "\n" + KeyRecord + "\n" + """
                    load $24 #0
                    kput $23 $23            ; the value "n" under the key "n"
                    hlt
            """, store: store);

        ProcessGroupRun.WaitUntil(() => store.Waiting == 100, "all 100 children wait in KPUT at once");
        store.Open();
        run.Output();
        Assert.Equal(100, store.Asked);
        Assert.Equal("n=n", store.Contents());
        Assert.Equal(0, run.Runtime.Count);
    }

    [Fact]
    public void AKill_EndsAWaitingProcess_WithoutTheStoresAnswer()
    {
        var store = new FakeStore();
        store.Close();
        using var run = new ProcessGroupRun(Data + KeyRecord + "\n" + """
                    kdel $23
                    hlt
            """, store: store);

        ProcessGroupRun.WaitUntil(() => store.Waiting == 1 && run.Root.State == ProcessRunState.Waiting, "KDEL waits");
        Assert.True(run.Runtime.Kill(run.Root.Serial));
        run.Output();
        Assert.Equal(DownReason.Killed, run.Root.EndReason);
        store.Open();   // the late answer finds no one waiting
        Assert.Equal(1, store.Asked);
    }

    [Fact]
    public void ALetterThatComesMeanwhile_DoesNotEndTheWait()
    {
        var store = new FakeStore();
        store.Set("n", "hi");
        store.Close();
        using var run = new ProcessGroupRun(Data + """
                    load $1 @child
                    load $2 #-1
                    spawn $1 $0 $2
            """ + "\n" + KeyRecord + "\n" + """
                    load $24 #16
                    load $25 #16
                    kget $23 $24 $25        ; the child's letter arrives while this waits
                    prti $25
                    load $7 #-1
                    load $8 #32
                    recv $9 $7 $8           ; then the letter: $7 = its length
                    prti $7
                    hlt
            child:  load $1 #1
                    load $2 #0
                    load $3 #3
                    send $1 $2 $3
                    hlt
            """, store: store);

        // The letter wakes the parent; its KGET runs again, finds its answer still to come, and waits on.
        ProcessGroupRun.WaitUntil(() => run.Runtime.Count == 1 && run.Root.MailboxLength == 1 && run.Root.State == ProcessRunState.Waiting,
            "the child's letter is in the mailbox of the parent, which waits on");
        Assert.Equal(1, store.Asked);
        Assert.Equal(11, run.Root.Steps);
        store.Open();
        Assert.Equal("23", run.Output());
    }

    [Fact]
    public async Task AnInterruptedDrivenRun_LeavesPcOnTheInstruction_AndTheNextRunAsksAfresh()
    {
        var store = new FakeStore();
        store.Set("n", "hi");
        store.Close();
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }) { Store = store };
        var machine = Assembled(Data + KeyRecord + "\n" + """
                    load $24 #16
                    load $25 #16
                    kget $23 $24 $25
                    hlt
            """);
        Assert.Null(machine.Start());
        var process = runtime.StartDriven(machine, Stream.Null)!;

        using var interrupt = new CancellationTokenSource();
        var first = runtime.RunAsync(process, long.MaxValue, interrupt.Token);
        ProcessGroupRun.WaitUntil(() => store.Waiting == 1 && process is { State: ProcessRunState.Waiting, IsInRun: true }, "KGET waits");
        interrupt.Cancel();
        var interrupted = await first.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(ExecutionStatus.Interrupted, interrupted.Status);
        Assert.Equal("KGET $23 $24 $25", InstructionFormatter.Format(machine.Program[machine.Pc..]));
        Assert.Equal(16, machine.Registers[25]);

        store.Set("n", "later");
        store.Open();   // the abandoned operation's answer ("hi" or "later") must not be taken
        var rerun = await runtime.RunAsync(process, long.MaxValue).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(ExecutionStatus.Stopped, rerun.Status);
        Assert.Equal(2, store.Asked);
        Assert.Equal(5, machine.Registers[25]);
        Assert.True(machine.EqualFlag);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AHostedProgram_WaitsOnTheScheduler_UntilTheAnswer_OrAnInterrupt(bool interrupted)
    {
        var store = new FakeStore();
        store.Set("n", "hi");
        store.Close();
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1 }) { Store = store };
        var machine = Assembled(Data + KeyRecord + "\n" + """
                    load $24 #16
                    load $25 #16
                    kget $23 $24 $25
                    hlt
            """);
        machine.Runtime = runtime;
        using var interrupt = new CancellationTokenSource();
        var running = Task.Run(() => machine.Run(interrupt: interrupt.Token));
        ProcessGroupRun.WaitUntil(() => store.Waiting == 1 && machine.Process?.State == ProcessRunState.Waiting, "KGET waits");
        if (interrupted) interrupt.Cancel();
        else store.Open();
        var final = await running.WaitAsync(TimeSpan.FromMinutes(2));
        if (interrupted)
        {
            Assert.Equal(VmEventKind.Interrupted, final.Kind);
            Assert.Equal(16, machine.Registers[25]);
            Assert.Equal("KGET $23 $24 $25", InstructionFormatter.Format(machine.Program[machine.Pc..]));
            store.Open();
        }
        else
        {
            Assert.Equal(VmEventKind.GracefulStop, final.Kind);
            Assert.Equal(2, machine.Registers[25]);
        }
    }

    private static Machine Assembled(string source)
    {
        var assembled = Assembler.Assembler.Assemble(".data\n" + source, "test.iasm");
        Assert.True(assembled.Success, assembled.RenderErrors());
        var machine = new Machine();
        machine.LoadImage(assembled.Image!);
        return machine;
    }
}
