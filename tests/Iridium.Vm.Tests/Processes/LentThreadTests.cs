namespace Iridium.Vm.Tests.Processes;

/// <summary>
/// A thread lent to the scheduler (a connection's read loop): a process its message wakes runs
/// on that thread when it is given back, and no scheduler thread is woken for it meanwhile.
/// </summary>
public class LentThreadTests
{
    // Waits for one message, answers its sender with it, and halts.
    private const string Echo = """
    .code
            load $7 #-1
            load $8 #0
            recv $9 $7 $8
            send $9 $8 $7
            hlt
    """;

    [Fact]
    public async Task AProcessWokenOnALentThreadRunsThereWhenTheThreadIsGivenBack()
    {
        using var run = new ProcessGroupRun(Echo);
        using var sender = run.Runtime.OpenCorrespondent(owner: null)!;
        ProcessGroupRun.WaitUntil(() => run.Root.State == ProcessRunState.Waiting, "the root waits for its message");

        bool lent = LentThread.Lend();
        try
        {
            Assert.True(lent);
            Assert.True(sender.Send(run.Root, [1, 2, 3]));
            // Held by this thread: the idle scheduler thread was not woken, so nothing runs it,
            // however long this thread takes to give itself back.
            Thread.Sleep(100);
            Assert.Equal(ProcessRunState.Runnable, run.Root.State);
        }
        finally
        {
            if (lent) LentThread.Return();
        }
        // Its slice ran inside Return, on this thread: the root has answered and ended already.
        Assert.Equal(ProcessRunState.Ended, run.Root.State);
        Assert.Equal(new byte[] { 1, 2, 3 }, await sender.ReceiveAsync(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void AThreadLentAlreadyIsNotLentAgainAndIsFreeOnceGivenBack()
    {
        using var run = new ProcessGroupRun(Echo);
        using var sender = run.Runtime.OpenCorrespondent(owner: null)!;
        ProcessGroupRun.WaitUntil(() => run.Root.State == ProcessRunState.Waiting, "the root waits for its message");

        Assert.True(LentThread.Lend());
        Assert.False(LentThread.Lend());   // nested: the outer lending runs what is held
        LentThread.Return();

        // Given back: a message woken from this thread goes to the scheduler's thread as before.
        Assert.True(sender.Send(run.Root, [7]));
        Assert.Equal("", run.Output());
        Assert.Equal(DownReason.Halted, run.Root.EndReason);
    }
}
