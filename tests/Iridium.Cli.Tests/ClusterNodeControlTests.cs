using Iridium.Cli.Hosting;
using Iridium.Cluster;
using Iridium.Cluster.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace Iridium.Cli.Tests;

/// <summary>The REPL's cluster commands over two real nodes on loopback: the same table and the same 'all' as the command-line tools.</summary>
public sealed class ClusterNodeControlTests : IAsyncLifetime
{
    private static readonly byte[] Cookie = "test-cookie"u8.ToArray();
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly ClusterNode _peer = new(Options("n2"), NullLoggerFactory.Instance);
    private ClusterNodeControl _control = null!;
    private ClusterNode? _own;

    private static ClusterOptions Options(string alias) => new()
    {
        Alias = alias,
        BindHost = "127.0.0.1",
        BindPort = 0,
        Cookie = Cookie,
        HeartbeatInterval = TimeSpan.FromMilliseconds(100),
        FailureTimeout = TimeSpan.FromSeconds(10),
        HandshakeTimeout = TimeSpan.FromSeconds(5),
        MaxFrameBytes = 1 << 20,
        DownRetention = TimeSpan.FromSeconds(60),
    };

    public async Task InitializeAsync()
    {
        await _peer.StartAsync();
        _control = new ClusterNodeControl(() => _own = new ClusterNode(Options("n1"), NullLoggerFactory.Instance));
        var joined = await _control.JoinAsync("127.0.0.1", _peer.AdvertisedPort, CancellationToken.None);
        Assert.True(joined.Success, joined.Message);
        var deadline = DateTime.UtcNow + Wait;
        while ((_own!.Members.Count(m => m.Status is MemberStatus.Self or MemberStatus.Up) < 2
                || _peer.Members.Count(m => m.Status is MemberStatus.Self or MemberStatus.Up) < 2) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        // A member is 'up' before its first load report says it runs exec programs; a loaded
        // machine can delay that report past the exec service's wait for it. Wait for it here,
        // so the tests below start from a mesh where n1 knows n2 runs exec.
        var hlt = Assembler.Assembler.Assemble("hlt\n").Image!;
        while (!(await _control.ExecAsync("n2", "hlt.iasm", hlt, _ => { }, CancellationToken.None).WaitAsync(Wait)).Success
               && DateTime.UtcNow < deadline)
            await Task.Delay(50);
    }

    public async Task DisposeAsync()
    {
        await _control.DisposeAsync();
        await _peer.DisposeAsync();
    }

    [Fact]
    public void ClusterMembers_IsTheTableIridiumMembersPrints()
    {
        var expected = new StringWriter();
        MembersFormatter.WriteText(expected, _own!.Members);
        var rows = _control.MembersTable();
        Assert.StartsWith("ALIAS", rows[0]);
        Assert.Equal(3, rows.Count);
        // LAST-SEEN-MS moves between two reads; everything up to it must match.
        Assert.Equal(expected.ToString().TrimEnd('\n').Split('\n').Select(NoLastSeen), rows.Select(NoLastSeen));
    }

    private static string NoLastSeen(string row) => row.Split(' ', StringSplitOptions.RemoveEmptyEntries) is var cells ? string.Join(' ', cells.Take(4)) : row;

    [Fact]
    public async Task ExecAll_RunsOnEveryUpMember_WithLinesPrefixedByAlias()
    {
        var image = Assembler.Assembler.Assemble(".data\nmsg: .asciiz 'hi'\n.code\nprts @msg\nload $3 #10\nprtc $3\nhlt\n").Image!;
        var output = new System.Text.StringBuilder();
        var reply = await _control.ExecAsync(ExecTargets.All, "hi.iasm", image, text => { lock (output) output.Append(text); }, CancellationToken.None)
            .WaitAsync(Wait);
        Assert.True(reply.Success, reply.Message);
        Assert.Equal(["[n1] hi", "[n2] hi"], output.ToString().TrimEnd('\n').Split('\n').Order(StringComparer.Ordinal));
        Assert.Equal(2, reply.Message.Split('\n').Length);
        Assert.Contains(reply.Message.Split('\n'), line => line.StartsWith("[n1] n1.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Commands_AreServedInProcess_NotThroughTheNodesListener()
    {
        // A program that waits for ever, run on this node from the REPL.
        var image = Assembler.Assembler.Assemble("load $7 #-1\nload $8 #0\nrecv $9 $7 $8\nhlt\n").Image!;
        using var stop = new CancellationTokenSource();
        var running = _control.ExecAsync("n1", "waits.iasm", image, _ => { }, stop.Token);
        var deadline = DateTime.UtcNow + Wait;
        IReadOnlyList<string> rows;
        while (!(rows = await _control.ProcessesAsync(CancellationToken.None)).Any(row => row.Contains("waits.iasm", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        // The exec's client is the REPL inside the node's process, not a connection from 127.0.0.1.
        Assert.Contains(rows, row => row.Contains("waits.iasm", StringComparison.Ordinal) && row.Contains("client@repl", StringComparison.Ordinal));
        stop.Cancel();
        var reply = await running.WaitAsync(Wait);
        Assert.Matches(@"^n1\.\d+ was interrupted$", reply.Message);
    }

    [Fact]
    public async Task AnInterruptedRun_NamesItsProcessOnce()
    {
        var image = Assembler.Assembler.Assemble("load $0 #1\nload $1 #2\ntop: lt $0 $1\ndjmpe @top\n").Image!;
        using var stop = new CancellationTokenSource();
        var running = _control.ExecAsync("n2", "forever.iasm", image, _ => { }, stop.Token);
        var deadline = DateTime.UtcNow + Wait;
        await using (var client = await ClusterClient.ConnectAsync("127.0.0.1", _peer.AdvertisedPort, Cookie, TimeSpan.FromSeconds(10)))
        {
            while ((await client.ProcessesAsync()).Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        }
        stop.Cancel();
        var reply = await running.WaitAsync(Wait);
        Assert.False(reply.Success);
        Assert.Matches(@"^n2\.\d+ was interrupted$", reply.Message);
    }

    [Fact]
    public async Task KillGroup_StopsTheWholeGroupOfAProcess_AsIridiumKillGroupDoes()
    {
        // The root spawns a child that waits for ever; the exec ends only when the whole group does.
        var image = Assembler.Assembler.Assemble(
            "load $4 @child\nload $5 #0\nload $6 #-1\nspawn $4 $5 $6\n"
            + "load $7 #-1\nload $8 #0\nrecv $9 $7 $8\nhlt\n"
            + "child: load $7 #-1\nload $8 #0\nrecv $9 $7 $8\nhlt\n").Image!;
        var running = _control.ExecAsync("n2", "family.iasm", image, _ => { }, CancellationToken.None);
        var deadline = DateTime.UtcNow + Wait;
        IReadOnlyList<ProcessInfo> processes = [];
        await using (var client = await ClusterClient.ConnectAsync("127.0.0.1", _peer.AdvertisedPort, Cookie, TimeSpan.FromSeconds(10)))
        {
            while ((processes = await client.ProcessesAsync()).Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        }
        var child = Assert.Single(processes, p => p.Parent.Length > 0);

        var reply = await _control.KillAsync(child.Id, group: true, CancellationToken.None).WaitAsync(Wait);
        Assert.True(reply.Success, reply.Message);
        Assert.StartsWith("killed group", reply.Message);
        var ended = await running.WaitAsync(Wait);
        Assert.False(ended.Success, ended.Message);
    }

    [Fact]
    public async Task Logs_ShowsTheKeptOutputOfADetachedGroup_AndFollowingStopsOnCancel()
    {
        // Prints a line, then waits for ever: detached, it keeps running after its client left.
        var image = Assembler.Assembler.Assemble(".data\nmsg: .asciiz 'kept'\n.code\nprts @msg\nload $3 #10\nprtc $3\n"
            + "load $7 #-1\nload $8 #0\nrecv $9 $7 $8\nhlt\n").Image!;
        string id;
        await using (var client = await ClusterClient.ConnectAsync("127.0.0.1", _peer.AdvertisedPort, Cookie, TimeSpan.FromSeconds(10)))
        {
            var started = Assert.Single(await client.ExecAsync(["n2"], new ExecSpec("kept.iasm", image, null, false, Detach: true), (_, _, _) => { }, CancellationToken.None).WaitAsync(Wait));
            Assert.Equal(ExecEnd.Detached, started.End);
            id = started.ProcessId!;
        }

        var output = new System.Text.StringBuilder();
        var deadline = DateTime.UtcNow + Wait;
        Iridium.Repl.Cluster.ClusterReply reply;
        do
        {
            lock (output) output.Clear();
            reply = await _control.LogsAsync(id, follow: false, text => { lock (output) output.Append(text); }, CancellationToken.None).WaitAsync(Wait);
        }
        while (output.ToString() != "kept\n" && DateTime.UtcNow < deadline);
        Assert.True(reply.Success, reply.Message);
        Assert.Equal(("kept\n", $"{id} is running"), (output.ToString(), reply.Message));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var followed = await _control.LogsAsync(id, follow: true, _ => { }, stop.Token).WaitAsync(Wait);
        Assert.Equal($"stopped following {id}; it runs on", followed.Message);

        var missing = await _control.LogsAsync("n2.999999", follow: false, _ => { }, CancellationToken.None).WaitAsync(Wait);
        Assert.False(missing.Success, missing.Message);
        await _control.KillAsync(id, group: true, CancellationToken.None).WaitAsync(Wait);
    }
}
