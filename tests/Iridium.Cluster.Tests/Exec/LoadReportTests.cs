using Iridium.Cluster.Connections;
using Iridium.Cluster.Exec;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Iridium.Cluster.Tests.Exec;

/// <summary>
/// A node tells its peers its load when it changes, once in a while when it does not, and to a
/// peer that comes up: not with every heartbeat (that was half an idle mesh's frames).
/// </summary>
public class LoadReportTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void AnUnchangedLoadIsReportedOncePerRefreshAndAChangeAtOnce()
    {
        var time = new FakeTimeProvider();
        var reporter = new LoadReporter(Heartbeat, time);
        Assert.Equal(new NodeLoad(0, 0), reporter.Due(new NodeLoad(0, 0)));
        for (int beat = 1; beat < LoadReporter.RefreshHeartbeats; beat++)
        {
            time.Advance(Heartbeat);
            Assert.Null(reporter.Due(new NodeLoad(0, 0)));
        }
        time.Advance(Heartbeat);
        Assert.Equal(new NodeLoad(0, 0), reporter.Due(new NodeLoad(0, 0)));

        time.Advance(Heartbeat);
        Assert.Equal(new NodeLoad(1, 0), reporter.Due(new NodeLoad(1, 0)));
        time.Advance(Heartbeat);
        Assert.Equal(new NodeLoad(0, 0), reporter.Due(new NodeLoad(0, 0)));
    }

    [Theory]
    [InlineData(0, 1, true)]
    [InlineData(3, 2, true)]
    [InlineData(100, 111, false)]  // less than an eighth: waits for the refresh
    [InlineData(100, 89, false)]
    [InlineData(100, 112, true)]
    [InlineData(100, 88, true)]
    public void AChangeMattersWhenItIsAnEighthOfTheFigureOrAnyChangeOfASmallOne(int was, int now, bool differs)
    {
        Assert.Equal(differs, LoadReporter.Differs(new NodeLoad(was, 0), new NodeLoad(now, 0)));
        Assert.Equal(differs, LoadReporter.Differs(new NodeLoad(0, was), new NodeLoad(0, now)));
    }

    [Fact]
    public async Task APeerHearsTheLoadWhenItComesUpAndThenOnlyOnChangeOrRefreshWhileHeartbeatsGoOn()
    {
        // The node's clock is moved by the test one heartbeat at a time. In each tick the node
        // sends its heartbeat, then its load report if one is due, on the same connection: the
        // reports between heartbeat k and heartbeat k + 1 are those of tick k.
        var time = new FakeTimeProvider();
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("a", heartbeatMs: (int)Heartbeat.TotalMilliseconds, timeoutMs: 600_000), time: time);
        var (connection, outcome) = await RawPeer.ConnectAsync(node, "watcher");
        Assert.True(outcome.Success, outcome.Message);
        var heard = new Recorder();
        connection.Start(heard);

        // Up: told at once, before any heartbeat of the timer (after the one a member gets as it comes up).
        await Eventually.True(() => heard.LoadsInTick(0).Count == 1, Wait, "the load report on coming up");
        Assert.Equal(new NodeLoad(0, 0), heard.LoadsInTick(0).Single());

        const int refresh = LoadReporter.RefreshHeartbeats;
        for (int beat = 1; beat <= refresh + 2; beat++) await Beat(time, heard, beat);
        // A program runs from the heartbeat of tick refresh + 2 (or the one after, if that tick had
        // not reached its report yet) to that of tick refresh + 5 (or 6).
        using (node.Registry.Register("test program", "test", () => { }))
        {
            for (int beat = refresh + 3; beat <= refresh + 5; beat++) await Beat(time, heard, beat);
        }
        for (int beat = refresh + 6; beat <= refresh + 8; beat++) await Beat(time, heard, beat);

        string log = heard.Log;
        // The first heartbeat reports to all (nothing was yet); an unchanged load is then quiet until the refresh.
        Assert.True(heard.LoadsInTick(1).SequenceEqual([new NodeLoad(0, 0)]), log);
        for (int tick = 2; tick <= refresh; tick++) Assert.True(heard.LoadsInTick(tick).Count == 0, $"tick {tick}: {log}");
        Assert.True(heard.LoadsInTick(refresh + 1).SequenceEqual([new NodeLoad(0, 0)]), log);
        // Each change once, in the tick it happened in or the next; nothing else.
        var changes = Enumerable.Range(refresh + 2, 6).SelectMany(heard.LoadsInTick).ToList();
        Assert.True(changes.SequenceEqual([new NodeLoad(1, 0), new NodeLoad(0, 0)]), log);
        Assert.Contains(heard.TickOfFirst(new NodeLoad(1, 0)), new[] { refresh + 2, refresh + 3 });
        Assert.Contains(heard.TickOfFirst(new NodeLoad(0, 0), after: refresh + 2), new[] { refresh + 5, refresh + 6 });
        connection.Close(CloseReason.Done, "done");
    }

    /// <summary>Moves the node's clock one heartbeat on and waits for heartbeat number <paramref name="beat"/>.</summary>
    private static async Task Beat(FakeTimeProvider time, Recorder heard, int beat)
    {
        time.Advance(Heartbeat);
        await Eventually.True(() => heard.Heartbeats >= beat, Wait, $"heartbeat {beat}");
    }

    /// <summary>
    /// What the node sent, in order: the heartbeats of its timer, and the load reports between
    /// them. The heartbeat a member gets as it comes up, before any of the timer's, is no tick.
    /// </summary>
    private sealed class Recorder : IConnectionHandler
    {
        private readonly Lock _gate = new();
        private readonly List<(int Tick, NodeLoad Load)> _loads = [];
        private int _heartbeats;
        private bool _heardComingUp;

        public int Heartbeats
        {
            get
            {
                lock (_gate) return _heartbeats;
            }
        }

        /// <summary>The reports after heartbeat <paramref name="tick"/> and before the next (0: before the first).</summary>
        public List<NodeLoad> LoadsInTick(int tick)
        {
            lock (_gate) return _loads.Where(l => l.Tick == tick).Select(l => l.Load).ToList();
        }

        public int TickOfFirst(NodeLoad load, int after = 0)
        {
            lock (_gate) return _loads.First(l => l.Tick > after && l.Load == load).Tick;
        }

        public string Log
        {
            get
            {
                lock (_gate) return $"{_heartbeats} heartbeats; reports (tick: load): " + string.Join(", ", _loads.Select(l => $"{l.Tick}: {l.Load.Running}/{l.Load.Queued}"));
            }
        }

        public void OnMessage(ClusterConnection connection, IClusterMessage message)
        {
            lock (_gate)
            {
                if (message is Heartbeat && !_heardComingUp) _heardComingUp = true;
                else if (message is Heartbeat) _heartbeats++;
                else if (message is Data { Body: { } body } && NodeLoad.TryRead(body, out var load)) _loads.Add((_heartbeats, load));
            }
        }

        public void OnClosed(ClusterConnection connection, ConnectionClose close)
        {
        }
    }
}
