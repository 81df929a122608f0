using Iridium.Store.Model;
using Iridium.Store.Raft;
using Iridium.Store.Service;

namespace Iridium.Store.Tests.Support;

/// <summary>
/// A store of three voters (a, b, c) in this process over an <see cref="InMemoryNetwork"/>, each with
/// its own data directory, which outlives a <see cref="StopAsync"/> so that <see cref="StartAsync"/>
/// brings the voter back from its disk. Each voter answers client calls forwarded to it by nodes
/// that are not voters, as on a node (<see cref="ForwardedCallsTransport"/>).
/// </summary>
internal sealed class ThreeVoters : IAsyncDisposable
{
    public static readonly string[] Names = ["a", "b", "c"];
    private readonly TempDirectory data = new();
    private readonly Dictionary<string, StoreNode> running = new();
    private readonly Lock gate = new();

    public InMemoryNetwork Network { get; } = new();
    public long SnapshotEvery { get; init; } = 10_000;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A faster Raft clock than a node's (<see cref="RaftTiming"/>): the fault tests kill and
    /// restart leaders many times, and each election waits out a timeout. No disk here is shared
    /// with 64 writing clients, which is what the node's slower clock is for.
    /// </summary>
    public RaftTiming Timing { get; init; } = new() { ElectionTimeoutMinMs = 300, ElectionTimeoutMaxMs = 600, RequestTimeout = TimeSpan.FromMilliseconds(300) };

    public static async Task<ThreeVoters> StartAllAsync(long snapshotEvery = 10_000)
    {
        var voters = new ThreeVoters { SnapshotEvery = snapshotEvery };
        foreach (var name in Names) await voters.StartAsync(name);
        return voters;
    }

    public string DataOf(string name) => Path.Combine(data.Path, name);

    public async Task<StoreNode> StartAsync(string name)
    {
        var transport = new ForwardedCallsTransport(Network.Connect(name));
        var node = await StoreNode.StartAsync(
            new StoreNodeOptions
            {
                Name = name,
                Voters = Names,
                DataDirectory = DataOf(name),
                SnapshotEvery = SnapshotEvery,
                Timeout = Timeout,
                Timing = Timing,
                Limits = new StoreLimits { MaxValueBytes = 4096 },
            },
            transport);
        transport.Service = new VoterStoreService(node);
        lock (gate) running[name] = node;
        return node;
    }

    /// <summary>Takes the voter off the network first (as a crash would), then shuts it.</summary>
    public async Task StopAsync(string name)
    {
        StoreNode? node;
        lock (gate) running.Remove(name, out node);
        Network.Disconnect(name);
        if (node is not null) await node.DisposeAsync();
    }

    public StoreNode? Node(string name)
    {
        lock (gate) return running.GetValueOrDefault(name);
    }

    public IReadOnlyList<StoreNode> Running
    {
        get { lock (gate) return running.Values.ToList(); }
    }

    /// <summary>The voter that leads in the eyes of a majority, waiting up to <paramref name="within"/>.</summary>
    public async Task<string> LeaderAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            var views = Running.Select(n => n.IsLeader ? n.Name : null).Where(n => n is not null).ToList();
            if (views.Count == 1) return views[0]!;
            await Task.Delay(20);
        }
        // What each voter sees (term, leader, log): tells a split vote from a stuck voter.
        var seen = string.Join("; ", Running.Select(n => (Status: n.Status(), n.Failure)).Select(v =>
            $"{v.Status.Name}: term {v.Status.Term}, leader {v.Status.Leader ?? "none"}, commit {v.Status.CommitIndex}, last {v.Status.LastLogIndex}, applied {v.Status.AppliedIndex}, failure {v.Failure ?? "none"}"));
        throw new TimeoutException($"no single leader within {within} ({seen})");
    }

    /// <summary>Writes through <paramref name="node"/>, again after each "unavailable", for up to <paramref name="within"/>.</summary>
    public async Task<StoreResult> WriteUntilAnsweredAsync(StoreNode node, StoreCommand command, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return await node.WriteAsync(command);
            }
            catch (StoreUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in Names) await StopAsync(name);
        data.Dispose();
    }
}
