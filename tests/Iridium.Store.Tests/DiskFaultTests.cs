using System.Reflection;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace Iridium.Store.Tests;

/// <summary>Which of DotNext's failures mean the voter's disk refused a write, and so stop the voter.</summary>
public sealed class DiskFaultTests
{
    /// <summary>DotNext's exceptions have internal constructors: made here as DotNext makes them.</summary>
    private static T Make<T>(params object[] arguments)
        where T : Exception =>
        (T)Activator.CreateInstance(typeof(T), BindingFlags.Instance | BindingFlags.NonPublic, null, arguments, null)!;

    [Fact]
    public void A_log_page_missing_on_a_read_fails_the_call_and_does_not_stop_the_voter()
    {
        var missing = Make<WriteAheadLog.MissingPageException>(5u);
        Assert.Contains("page 5", missing.Message);
        Assert.IsAssignableFrom<IOException>(missing);
        Assert.Null(DiskFault.Of(missing));
        Assert.Null(DiskFault.Of(new InvalidOperationException("a call failed", missing)));
    }

    [Fact]
    public void A_write_the_disk_refused_stops_the_voter_whether_seen_directly_or_through_the_dead_log()
    {
        var full = new IOException("No space left on device");
        Assert.Same(full, DiskFault.Of(full));
        Assert.Same(full, DiskFault.Of(new InvalidOperationException("a call failed", full)));
        // The log's background flusher failed: every later call fails with this around the first error,
        // whatever that error was (a missing page among them): the log is dead.
        var dead = Make<WriteAheadLog.InternalException>(Make<WriteAheadLog.MissingPageException>(5u));
        Assert.NotNull(DiskFault.Of(dead));
        Assert.Null(DiskFault.Of(new InvalidOperationException("not the disk")));
    }
}
