namespace Iridium.Vm.Tests.Processes;

/// <summary>A mailbox's queue of letters: first in, first out across its segments, emptied and filled again.</summary>
public class LetterQueueTests
{
    [Fact]
    public void LettersComeOutInTheOrderTheyWentIn_AcrossSegmentsAndRefills()
    {
        using var runtime = new ProcessRuntime();
        var sender = runtime.RemoteProcess(new RemoteProcessId(Guid.NewGuid(), 1), "m1");
        var queue = new LetterQueue();
        int next = 0, expected = 0;
        void Put(int count)
        {
            for (int i = 0; i < count; i++) queue.Enqueue(Letter.Message(sender, BitConverter.GetBytes(next++)));
        }
        void Take(int count)
        {
            for (int i = 0; i < count; i++)
            {
                Assert.True(queue.TryPeek(out var peeked));
                var taken = queue.Dequeue();
                Assert.Same(peeked.Payload, taken.Payload);
                Assert.Equal(expected++, BitConverter.ToInt32(taken.Payload));
            }
        }

        Assert.False(queue.TryPeek(out _));
        Put(1_000);                 // 4 + 8 + ... + 256 + 256 ...: many segments
        Take(500);
        Put(300);
        Assert.Equal(800, queue.Count);
        Take(800);
        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryPeek(out _));
        Put(3);                     // empty again: filled from the start of the segment kept
        Take(1);
        Put(600);
        Take(602);
        Assert.Equal(0, queue.Count);
        Assert.Equal(next, expected);
    }
}
