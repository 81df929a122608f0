using Iridium.Repl.Engine;
using Iridium.Vm;
using static Iridium.Repl.Tests.TestProcesses;

namespace Iridium.Repl.Tests;

/// <summary>
/// The REPL's VM is a process of its host (docs/reference/runtime.md, processes): typed lines SPAWN,
/// SEND and RECV; a waiting RECV holds no thread and takes no steps; Ctrl-C ends the wait.
/// Every runtime here has one scheduler thread, so a wait that held it would stall the rest.
/// </summary>
public class ReplProcessTests
{
    /// <summary>A child at @child that answers its first message with "pong" and prints what it got.</summary>
    private const string Server = """
        .data
        ping:   .asciiz 'ping'
        pong:   .asciiz 'pong'
        .code
                hlt
        child:  load $7 #-1
                load $8 #0
                recv $9 $7 $8
                prth $8 $7
                load $10 #10
                prtc $10
                load $1 @pong
                strh $8 $1 $3
                send $9 $8 $3
                hlt
        """;

    private static EngineHarness Harness(ProcessRuntime runtime, long? maxSteps = null) => new(new() { Processes = runtime, MaxSteps = maxSteps });

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException(what);
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task TypedLines_SpawnAProgram_SendToIt_AndReceiveItsAnswer()
    {
        var runtime = OneThread();
        using var repl = Harness(runtime);
        Assert.Contains("VM stopped: code 0 (HLT)", repl.Run($"!load_file {repl.WriteFile("server.iasm", Server)}"));
        string output = repl.Run(
            "load $4 @child", "load $5 #0", "load $6 #-1", "spawn $4 $5 $6",
            "load $1 @ping", "load $2 #0", "strh $2 $1 $3", "send $6 $2 $3",
            "load $7 #-1", "load $8 #16", "recv $9 $7 $8", "prth $8 $7");
        Assert.Equal("pong\n", output);
        Assert.Equal(1, repl.Session.Machine.Registers[6]);   // the child: the session's first new handle
        Assert.Equal(1, repl.Session.Machine.Registers[9]);   // the answer came from it
        Assert.Equal(4, repl.Session.Machine.Registers[7]);
        // The child printed on a scheduler thread: a notice, not the line's output.
        await repl.Terminal.WaitForNoticesAsync(1);
        Assert.Equal(["ping"], repl.Terminal.Notices[0]);
        await Until(() => runtime.Count == 1, "the child ends");
        Assert.Same(repl.Session.Process, Assert.Single(runtime.List()));
    }

    [Fact]
    public async Task CtrlC_EndsAWaitingRecv_AndTheSessionGoesOn()
    {
        var runtime = OneThread();
        using var repl = Harness(runtime);
        repl.Run("load $7 #-1", "load $8 #0");
        using var interrupt = new CancellationTokenSource();
        var line = repl.Session.ExecuteAsync("recv $9 $7 $8", interrupt.Token);
        var process = repl.Session.Process!;
        await Until(() => process.State == ProcessRunState.Waiting && process.IsInRun, "the RECV waits");
        long steps = process.Steps;
        await Task.Delay(50);
        Assert.False(line.IsCompleted);
        Assert.Equal(steps, process.Steps);   // waiting takes no steps

        interrupt.Cancel();
        Assert.Equal(ReplOutcome.Continue, await line.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Matches(@"^interrupted at pc=12 \(RECV \$9 \$7 \$8\)\n$", repl.Terminal.Text);
        Assert.Null(repl.Session.FirstFailure);   // the user's own doing
        Assert.Equal("42\n", repl.Run("load $0 #42", "prti $0"));
        Assert.Same(process, repl.Session.Process);
    }

    [Fact]
    public async Task ALoadedProgram_WaitingInRecv_IsInterrupted_AndContinueWaitsAgain()
    {
        using var repl = Harness(OneThread());
        string path = repl.WriteFile("wait.iasm", ".data\n.code\nload $7 #-1\nload $8 #0\nrecv $9 $7 $8\nhlt\n");
        using (var interrupt = new CancellationTokenSource())
        {
            var line = repl.Session.ExecuteAsync($"!load_file {path}", interrupt.Token);
            await Until(() => repl.Session.Process!.State == ProcessRunState.Waiting && repl.Session.Process.IsInRun, "the RECV waits");
            interrupt.Cancel();
            await line.WaitAsync(TimeSpan.FromSeconds(20));
        }
        Assert.Matches(@"interrupted at pc=\d+ \(RECV \$9 \$7 \$8\)\n\(!continue resumes it\)\n$", repl.Terminal.Text);

        repl.Terminal.Clear();
        using (var interrupt = new CancellationTokenSource())
        {
            var line = repl.Session.ExecuteAsync("!continue", interrupt.Token);
            await Task.Delay(100);
            Assert.False(line.IsCompleted);   // still waiting for a message
            interrupt.Cancel();
            await line.WaitAsync(TimeSpan.FromSeconds(20));
        }
        Assert.Matches(@"^interrupted at pc=\d+ \(RECV", repl.Terminal.Text);
    }

    [Fact]
    public async Task ManyWaitingSessions_HoldNoThread()
    {
        const int Sessions = 40;
        var runtime = OneThread();
        var waiting = new List<(EngineHarness Repl, Task<ReplOutcome> Line)>();
        using var interrupt = new CancellationTokenSource();
        try
        {
            for (int i = 0; i < Sessions; i++)
            {
                var repl = Harness(runtime);
                repl.Run("load $7 #-1", "load $8 #0");
                waiting.Add((repl, repl.Session.ExecuteAsync("recv $9 $7 $8", interrupt.Token)));
            }
            await Until(() => runtime.List().Count(p => p.State == ProcessRunState.Waiting && p.IsInRun) == Sessions, "every session waits in its RECV");

            // The one scheduler thread is free: another session's lines run at once.
            using var other = Harness(runtime);
            Assert.Equal("7\n", other.Run("load $0 #7", "prti $0"));
            Assert.All(waiting, w => Assert.False(w.Line.IsCompleted));

            interrupt.Cancel();
            foreach (var (repl, line) in waiting)
            {
                await line.WaitAsync(TimeSpan.FromSeconds(20));
                Assert.StartsWith("interrupted at pc=12 (RECV", repl.Terminal.Text);
            }
        }
        finally
        {
            foreach (var (repl, _) in waiting) repl.Dispose();
        }
        Assert.Equal(0, runtime.Count);
    }

    [Fact]
    public async Task AKilledSessionProcess_IsReplacedAtTheNextLine()
    {
        var runtime = OneThread();
        using var repl = Harness(runtime);
        repl.Run("load $1 #5");
        var first = repl.Session.Process!;
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        repl.Session.ProcessKilled += () => killed.TrySetResult();
        Assert.True(runtime.Kill(first.Serial));   // `iridium kill`
        await killed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(DownReason.Killed, first.EndReason);

        Assert.Equal("5\n", repl.Run("prti $1"));   // the registers stay; the process is new
        Assert.NotSame(first, repl.Session.Process);
        Assert.Equal(1, runtime.Count);
    }

    [Fact]
    public void TheProcessLimit_RefusesSpawns_FromTypedLinesAndCommands()
    {
        using var repl = Harness(OneThread(maxProcesses: 1));   // the session's own process is the one
        repl.Run("load $4 #0", "load $6 #-1", "spawn $4 $0 $6");
        Assert.Equal(-1, repl.Session.Machine.Registers[6]);
        Assert.False(repl.Session.Machine.EqualFlag);
        string output = repl.Run($"!spawn {repl.WriteFile("s.iasm", ".data\n.code\nhlt\n")}");
        Assert.Contains("not spawned after all: the host's process limit (1, --max-processes) is reached", output);
    }

    [Fact]
    public async Task TheSessionsEnd_KillsWhatItSpawned()
    {
        var runtime = OneThread();
        using var lifetime = new CancellationTokenSource();
        using var repl = new EngineHarness(new() { Processes = runtime, Lifetime = lifetime.Token });
        repl.Run($"!spawn {repl.WriteFile("loop.iasm", ".data\n.code\neq $0 $0\ntop: djmpe @top\n")}");
        Assert.Equal(2, runtime.Count);
        lifetime.Cancel();
        await repl.Terminal.WaitForNoticesAsync(1);
        Assert.Contains("Interrupted", string.Join("\n", repl.Terminal.Notices[0]));
        repl.Dispose();
        await Until(() => runtime.Count == 0, "every process ends");
    }
}
