using System.Text;

namespace Iridium.Vm.Tests.Processes;

/// <summary>
/// The scheduler's queues (<see cref="Scheduler"/>): a thread's own queue, the shared queue that
/// other threads feed, and stealing: nothing queued waits for ever, whoever queued it.
/// </summary>
public class SchedulerQueueTests
{
    // Registers the name at @name, waits for one message, prints the letter in R30, a line break, and halts.
    private static string Waiter(char letter) => $"""
        .data
        name:   .asciiz '{letter}'
        .code
                reg @name
                load $7 #-1
                load $8 #0
                recv $9 $7 $8
                load $30 #{(int)letter}
                prtc $30
                load $30 #10
                prtc $30
                hlt
        """;

    [Fact]
    public void AProcessWokenFromOutsideRunsWhileTheOnlyThreadPassesMessagesForEver()
    {
        // One thread, kept busy by a pair passing a message back and forth for ever: its own
        // queue is never empty at a turn's end. A process woken from outside (a correspondent's
        // message) goes to the shared queue, which the thread must still look at.
        using var run = new ProcessGroupRun("""
    name:   .asciiz 'e'
    .code
            load $1 @pinger
            load $2 #-1
            spawn $1 $0 $2
            reg @name
            load $7 #-1
            load $8 #0
            recv $9 $7 $8
            load $30 #101           ; 'e'
            prtc $30
            load $30 #10
            prtc $30
            hlt
    pinger: load $1 @ponger
            load $2 #-1
            spawn $1 $0 $2
            load $4 #0
    ping:   send $2 $4 $4
            load $7 #-1
            recv $9 $7 $8
            load $0 @ping
            jmp $0
    ponger: load $4 #0
    pong:   load $7 #-1
            recv $9 $7 $8
            send $9 $4 $4
            load $0 @pong
            jmp $0
    """, new ProcessLimits { Schedulers = 1 });
        ProcessGroupRun.WaitUntil(() => run.Runtime.Lookup("e") is { State: ProcessRunState.Waiting }, "the root waits, its name registered");
        using var sender = run.Runtime.OpenCorrespondent(owner: null)!;
        Assert.True(sender.Send(run.Runtime.Lookup("e")!, [1]));
        ProcessGroupRun.WaitUntil(() => run.Root.State == ProcessRunState.Ended, "the root, woken from outside, ran and ended");
        run.Runtime.KillGroup(run.Root.Group);
        Assert.Equal("e\n", run.Output());
    }

    [Fact]
    public void AProcessQueuedByAThreadStuckInASliceIsRunByAnother()
    {
        // Two threads. A root wakes two waiters of other groups, then prints into an output that
        // blocks its thread (a full pipe, say) until the test lets it go. The first waiter it woke
        // is kept by that thread; the second went to the thread's own queue, and the other thread
        // must take it from there and run it meanwhile.
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 2 });
        var cOutput = new MemoryStream();
        var dOutput = new MemoryStream();
        var c = Start(runtime, Waiter('c'), cOutput);
        var d = Start(runtime, Waiter('d'), dOutput);
        ProcessGroupRun.WaitUntil(() => runtime.Lookup("c") is { State: ProcessRunState.Waiting } && runtime.Lookup("d") is { State: ProcessRunState.Waiting }, "both waiters wait");

        using var blocking = new BlockingStream();
        var root = Start(runtime, """
        .data
        c:      .asciiz 'c'
        d:      .asciiz 'd'
        .code
                where $3 @c
                where $4 @d
                load $5 #0
                send $3 $5 $5
                send $4 $5 $5
                load $30 #120           ; 'x', written when the slice ends
                prtc $30
                hlt
        """, blocking);
        Assert.True(blocking.Entered.Wait(TimeSpan.FromMinutes(2)), "the root's thread blocks in its output");
        Assert.True(d.Group.WaitForEnd(TimeSpan.FromMinutes(2)), "d ran while the root's thread was stuck");
        lock (d.Group.OutputLock) Assert.Equal("d\n", Encoding.UTF8.GetString(dOutput.ToArray()));
        blocking.Release.Set();
        Assert.True(root.Group.WaitForEnd(TimeSpan.FromMinutes(2)));
        Assert.True(c.Group.WaitForEnd(TimeSpan.FromMinutes(2)));
        Assert.Equal("c\n", Encoding.UTF8.GetString(cOutput.ToArray()));
    }

    private static Process Start(ProcessRuntime runtime, string source, Stream output)
    {
        var assembled = Assembler.Assembler.Assemble(source, "test.iasm");
        Assert.True(assembled.Success, assembled.RenderErrors());
        var machine = new Machine { Runtime = runtime };
        machine.LoadImage(assembled.Image!);
        return runtime.Start(machine, output) ?? throw new InvalidOperationException("not started");
    }

    /// <summary>Blocks its first write until <see cref="Release"/> is set; <see cref="Entered"/> says it is blocked.</summary>
    private sealed class BlockingStream : WriteOnlyStream
    {
        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromMinutes(2));
        }

        public override void Flush()
        {
        }

        protected override void Dispose(bool disposing)
        {
            Release.Set();
            base.Dispose(disposing);
        }
    }
}
