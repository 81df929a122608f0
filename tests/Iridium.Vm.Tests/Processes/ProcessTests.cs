using System.Text;

namespace Iridium.Vm.Tests.Processes;

/// <summary>
/// Processes on one node: spawning, delivery order, limits, timeouts on a manual clock, monitors
/// and their reasons, kill, handles, per-process step budgets and the group's output.
/// </summary>
public class ProcessTests
{
    // Spawns the code at @child, monitors it and prints R[b] of its down notice (-1 - reason), then halts.
    private const string PrintTheChildsEnd = """
        .code
                load $1 @child
                load $2 #-1
                spawn $1 $0 $2
                monitor $2
                load $7 #-1
                recv $9 $7 $8
                prti $7
                hlt

        """;

    [Fact]
    public void PingPongRunsOnTheScheduler()
    {
        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "programs", "examples", "pingpong.iasm"));
        using var run = new ProcessGroupRun(source.Replace(".data\n", ""));
        Assert.Equal("pong\n", run.Output());
        Assert.Equal(ProcessRunState.Ended, run.Root.State);
        Assert.Equal(DownReason.Halted, run.Root.EndReason);
        Assert.Equal(0, run.Runtime.Count);
    }

    [Fact]
    public void MessagesFromOneSenderArriveInOrder()
    {
        // The child sends 1..500; the parent checks each against its own count and prints the
        // number that arrived in order.
        using var run = new ProcessGroupRun("""
    .code
            load $1 @child
            load $2 #-1
            spawn $1 $0 $2
            load $10 #0          ; in order so far
            load $11 #500
    next:   load $7 #-1
            load $8 #0
            recv $9 $7 $8
            loadm $8 $12
            inc $10
            neq $12 $10
            djmpe @out
            lt $10 $11
            djmpe @next
    out:    prti $10
            hlt
    child:  load $1 #0
            load $2 #4
            load $3 #0
            load $4 #500
            load $9 #1          ; the parent
    again:  inc $3
            setm $1 $3
            send $9 $1 $2
            lt $3 $4
            djmpe @again
            hlt
    """);
        Assert.Equal("500", run.Output());
    }

    /// <summary>
    /// SENDs to itself of <paramref name="lengths"/> bytes each, printing 1 or 0 for each SEND's
    /// eq: a full mailbox refuses the SEND (and counts it as dropped) rather than failing.
    /// </summary>
    [Theory]
    [InlineData("4 4 4", 2, 1 << 20, "110")]
    [InlineData("40 40 20", 4096, 60, "101")]
    public void AFullMailboxRefusesTheSendAndCountsIt(string lengths, int messages, int bytes, string flags)
    {
        var sends = string.Concat(lengths.Split(' ').Select(n => $"load $2 #{n}\nsend $0 $1 $2\ncall @flag\n"));
        using var run = new ProcessGroupRun($"""
    .code
            load $0 #0
            load $1 #0
            {sends}
            hlt
    flag:   load $5 #1
            load $6 #0
            djmpe @yes
            prti $6
            ret
    yes:    prti $5
            ret
    """, new ProcessLimits { Schedulers = 1, MailboxMessages = messages, MailboxBytes = bytes });
        Assert.Equal(flags, run.Output());
        Assert.Equal(flags.Count(f => f == '0'), run.Root.Dropped);
    }

    [Fact]
    public void TheProcessLimitRefusesASpawnWithoutACrash()
    {
        using var run = new ProcessGroupRun("""
    .code
            load $1 @child
            load $2 #-1
            spawn $1 $0 $2      ; the second process: started
            prti $2
            load $3 #-1
            spawn $1 $0 $3      ; a third: refused, R[c] = -1
            prti $3
            load $4 #1
            djmpe @bad
            load $7 #-1
            recv $9 $7 $8       ; let the child go
            hlt
    bad:    hlt
    child:  load $0 #0
            load $1 #1          ; the parent
            send $1 $0 $0
            hlt
    """, new ProcessLimits { Schedulers = 1, MaxProcesses = 2 });
        Assert.Equal("1-1", run.Output());
    }

    [Fact]
    public void ARecvTimeoutEndsOnTheClockAndWaitingCostsNoSteps()
    {
        var clock = new ManualClock();
        using var run = new ProcessGroupRun("""
    .code
            load $7 #1000       ; wait at most a second
            load $8 #0
            recv $9 $7 $8
            djmpe @got
            load $1 #0
            prti $1             ; timed out
            hlt
    got:    hlt
    """, new ProcessLimits { Schedulers = 1 }, clock);
        ProcessGroupRun.WaitUntil(() => run.Root.State == ProcessRunState.Waiting && clock.PendingTimers == 1, "the RECV waits");
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(run.Root.Group.WaitForEnd(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(ProcessRunState.Waiting, run.Root.State);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("0", run.Output());
        // LOAD, LOAD, RECV (once, though it ran again when woken), DJMPE, LOAD, PRTI, HLT.
        Assert.Equal(7, run.Root.Steps);
    }

    [Fact]
    public void AMessageWakesAWaitingRecvBeforeItsDeadline()
    {
        var clock = new ManualClock();
        using var run = new ProcessGroupRun("""
    .code
            load $1 @child
            load $2 #-1
            spawn $1 $0 $2
            load $7 #60000
            load $8 #0
            recv $9 $7 $8
            prti $7             ; the length: 4
            hlt
    child:  load $2 #4
            load $3 #0
            load $1 #1          ; the parent
            send $1 $3 $2
            hlt
    """, new ProcessLimits { Schedulers = 1 }, clock);
        Assert.Equal("4", run.Output());
        Assert.Equal(0, clock.PendingTimers);
    }

    public static TheoryData<string, int> EndsAndTheirReasons => new()
    {
        { "hlt", 0 },
        { "igl", 1 },
        { "load $5 #0\ndiv $5 $5 $5", 2 },
        { "spin: load $5 @spin\njmp $5", 2 },
    };

    [Theory, MemberData(nameof(EndsAndTheirReasons))]
    public void ADownNoticeSaysHowTheProcessEnded(string childEnd, int reason)
    {
        // The child waits for "go" so the monitor is set first; R[b] = -1 - reason.
        using var run = new ProcessGroupRun($"""
    .code
            load $1 @child
            load $2 #-1
            spawn $1 $0 $2
            monitor $2
            load $3 #0
            send $2 $3 $3
            load $7 #-1
            recv $9 $7 $8
            prti $7
            eq $9 $2            ; the notice is about the child's handle
            djmpe @same
            hlt
    same:   load $5 #42
            prti $5
            hlt
    child:  load $7 #-1
            recv $9 $7 $8
            {childEnd}
    """, new ProcessLimits { Schedulers = 1, MaxSteps = 1000 });
        Assert.Equal($"{-1 - reason}42", run.Output());
    }

    [Fact]
    public void MonitoringAProcessThatHasEndedGivesReasonFiveAtOnce()
    {
        using var run = new ProcessGroupRun("""
    .code
            load $1 @child
            load $2 #-1
            spawn $1 $0 $2
            monitor $2
            load $7 #-1
            recv $9 $7 $8       ; the child halted: -1
            prti $7
            monitor $2          ; again, after its end: reason 5 at once
            load $7 #-1
            recv $9 $7 $8
            prti $7
            hlt
    child:  hlt
    """);
        Assert.Equal("-1-6", run.Output());
    }

    [Fact]
    public void KillStopsAWaitingProcessAndItsWatchersSeeReasonThree()
    {
        using var run = new ProcessGroupRun(PrintTheChildsEnd + """
    child:  load $7 #-1
            recv $9 $7 $8       ; waits for ever
            hlt
    """);
        Process? child = null;
        ProcessGroupRun.WaitUntil(() => (child = run.Runtime.List().FirstOrDefault(p => p != run.Root)) is { State: ProcessRunState.Waiting }, "the child waits");
        Assert.Equal(run.Root, child!.Parent);
        Assert.True(run.Runtime.Kill(child.Serial));
        Assert.Equal("-4", run.Output());
        Assert.Equal(DownReason.Killed, child.EndReason);
        Assert.False(run.Runtime.Kill(child.Serial));
    }

    [Fact]
    public void KillGroupEndsEveryMember()
    {
        using var run = new ProcessGroupRun("""
    .code
            load $1 @child
            load $3 #5
    more:   load $2 #-1
            spawn $1 $0 $2
            dec $3
            load $4 #0
            gt $3 $4
            djmpe @more
    child:  load $7 #-1
            recv $9 $7 $8
            hlt
    """);
        ProcessGroupRun.WaitUntil(() => run.Runtime.List().Count(p => p.State == ProcessRunState.Waiting) == 6, "all six wait");
        run.Runtime.KillGroup(run.Root.Group);
        Assert.Equal("", run.Output());
        Assert.Equal(0, run.Runtime.Count);
    }

    [Fact]
    public void HandlesTakeTheLowestFreeNumberAndOneProcessKeepsOneHandle()
    {
        // One scheduler thread: the three children run, in order, once the parent waits. Each
        // prints the handle WHERE gives it for the parent (1: the one it already has); the
        // parent prints its handles 1, 2, then 1 again after DROP, 0 for itself, and the sender
        // handles of the three messages: the first child's was dropped, so it gets 3.
        using var run = new ProcessGroupRun("""
    name:   .asciiz 'me'
    .code
            reg @name
            load $1 @child
            load $2 #-1
            spawn $1 $0 $2
            load $3 #-1
            spawn $1 $0 $3
            drop $2
            load $4 #-1
            spawn $1 $0 $4
            prti $2
            prti $3
            prti $4
            where $5 @name
            prti $5
            load $6 #3
    wait:   load $7 #-1
            recv $9 $7 $8
            prti $9
            dec $6
            load $10 #0
            gt $6 $10
            djmpe @wait
            hlt
    child:  where $5 @name
            prti $5
            load $0 #0
            send $5 $0 $0
            hlt
    """);
        Assert.Equal("111" + "1210" + "321", run.Output());
    }

    [Fact]
    public void EachSpawnedProcessHasItsOwnStepBudget()
    {
        // Each child counts to 100 (about 300 steps): under a budget of 1000 each, all finish,
        // though together they run far more than 1000 steps.
        using var run = new ProcessGroupRun("""
    .code
            load $1 @child
            load $3 #10
    more:   load $2 #-1
            spawn $1 $0 $2
            monitor $2
            dec $3
            load $4 #0
            gt $3 $4
            djmpe @more
            load $3 #10
    wait:   load $7 #-1
            recv $9 $7 $8
            prti $7
            dec $3
            gt $3 $4
            djmpe @wait
            hlt
    child:  load $5 #0
            load $6 #100
    count:  inc $5
            lt $5 $6
            djmpe @count
            hlt
    """, new ProcessLimits { Schedulers = 1, MaxSteps = 1000 });
        Assert.Equal(string.Concat(Enumerable.Repeat("-1", 10)), run.Output());
    }

    [Fact]
    public void MessagesPassedBetweenTwoProcessesLetAQueuedProcessRunWithinATurn()
    {
        // One scheduler thread. A and its child B pass a message back and forth 20,000 times
        // (far more steps than a turn); C is queued while they start. A message's receiver runs
        // next on the sender's thread, in the sender's turn, but the turn is bounded: C runs,
        // and prints, long before the pair is done.
        using var run = new ProcessGroupRun("""
    .code
            load $1 @pinger
            load $2 #-1
            spawn $1 $0 $2          ; A
            load $1 @other
            load $2 #-1
            spawn $1 $0 $2          ; C
            hlt
    other:  load $0 #99             ; 'c'
            prtc $0
            load $0 #10
            prtc $0
            hlt
    pinger: load $1 @ponger
            load $2 #-1
            spawn $1 $0 $2          ; B
            load $3 #20000
            load $4 #0
    ping:   send $2 $4 $4
            load $7 #-1
            recv $9 $7 $8
            dec $3
            gt $3 $4
            djmpe @ping
            load $0 #112            ; 'p'
            prtc $0
            load $0 #10
            prtc $0
            hlt
    ponger: load $3 #20000
            load $4 #0
    pong:   load $7 #-1
            recv $9 $7 $8
            send $9 $4 $4
            dec $3
            gt $3 $4
            djmpe @pong
            hlt
    """);
        Assert.Equal("c\np\n", run.Output());
        Assert.Equal(0, run.Runtime.Count);
    }

    [Fact]
    public void ASpawnedProcessGivesItsHeapBackToTheBudgetWhenItEnds()
    {
        // The child grows its heap by 1 MiB from the budget its parent's VM is counted in, then
        // halts; its VM is dropped at its end, and what it reserved is back in the budget.
        var budget = new HeapBudget(64 << 20);
        long released = 0;
        budget.Released += bytes => Interlocked.Add(ref released, bytes);
        using var run = new ProcessGroupRun(PrintTheChildsEnd + """
    child:  load $5 #1048576
            aloc $5
            hlt
    """, heapBudget: budget);
        Assert.Equal("-1", run.Output());
        Assert.InRange(Interlocked.Read(ref released), 1 << 20, 64 << 20);
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void AProcessPastItsStepBudgetCrashesWithSteps()
    {
        using var run = new ProcessGroupRun(PrintTheChildsEnd + """
    child:  load $5 @child
            jmp $5
    """, new ProcessLimits { Schedulers = 1, MaxSteps = 10_000 });
        Assert.Equal("-3", run.Output());
    }

    [Fact]
    public void LinesOfDifferentMembersNeverInterleave()
    {
        // Four children on two threads each print 100 lines of 30 characters, one PRTC at a time.
        using var run = new ProcessGroupRun("""
    .code
            load $1 @child
            load $3 #4
            load $20 #65
    more:   load $2 #-1
            spawn $1 $20 $2
            inc $20
            dec $3
            load $4 #0
            gt $3 $4
            djmpe @more
            hlt
    child:  load $6 #100
            load $4 #0
            load $30 #10
    line:   load $5 #30
    char:   prtc $0
            dec $5
            gt $5 $4
            djmpe @char
            prtc $30
            dec $6
            gt $6 $4
            djmpe @line
            hlt
    """, new ProcessLimits { Schedulers = 2 });
        var lines = run.Output().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(400, lines.Length);
        Assert.All(lines, line => Assert.Matches("^(A{30}|B{30}|C{30}|D{30})$", line));
    }

    [Fact]
    public async Task AHostedRecvIsInterruptedLikeAnyInstruction_AndTheHostIsCalledBeforeItWaits()
    {
        var assembled = Assembler.Assembler.Assemble(".data\n.code\nload $7 #-1\nrecv $9 $7 $8\nhlt\n", "t.iasm");
        var machine = new Machine { Output = new MemoryStream() };
        machine.LoadImage(assembled.Image!);
        using var interrupt = new CancellationTokenSource();
        // Within the run's first slice: the host's chance to act (`run` arms its Ctrl-C handler
        // there) comes before the thread blocks, not only when a slice ends.
        bool? calledBeforeWaiting = null;
        machine.BetweenSlices = () => calledBeforeWaiting ??= machine.Process is { State: not ProcessRunState.Waiting };
        var run = Task.Run(() => machine.Run(interrupt: interrupt.Token));
        ProcessGroupRun.WaitUntil(() => machine.Process is { State: ProcessRunState.Waiting }, "the RECV waits");
        Assert.True(calledBeforeWaiting, "the host was called before the RECV blocked");
        interrupt.Cancel();
        var final = await run.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(VmEventKind.Interrupted, final.Kind);
        Assert.Equal(76, machine.Pc);   // on the RECV (after the 8-byte LOAD of -1), which has not run
    }
}
