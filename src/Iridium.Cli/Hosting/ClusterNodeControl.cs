using System.Net.Sockets;
using Iridium.Cluster;
using Iridium.Repl.Cluster;

namespace Iridium.Cli.Hosting;

/// <summary>
/// The REPL's cluster commands over <see cref="ClusterNode"/>. The node is created on first use, so
/// a REPL that never touches the cluster never loads the cookie or binds a port; a failure to create
/// it (no cookie, bad alias) becomes the command's reply instead of an exception.
/// </summary>
internal sealed class ClusterNodeControl(Func<ClusterNode> createNode) : IClusterControl, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private ClusterNode? _node;

    public async Task<ClusterReply> StartAsync(CancellationToken cancellation)
    {
        if (!TryGetNode(out var node, out var failure)) return failure!;
        if (node.IsListening) return new ClusterReply(true, $"the cluster server is already listening on port {node.AdvertisedPort}");
        try
        {
            await node.StartAsync(cancellation).ConfigureAwait(false);
            return new ClusterReply(true, $"Started cluster server! ({node.Alias} on port {node.AdvertisedPort})");
        }
        catch (Exception e) when (e is SocketException or IOException or ArgumentException or InvalidOperationException)
        {
            return new ClusterReply(false, $"could not start the cluster server: {e.Message}");
        }
    }

    public async Task<ClusterReply> JoinAsync(string host, int port, CancellationToken cancellation)
    {
        if (!TryGetNode(out var node, out var failure)) return failure!;
        var result = await node.JoinAsync(host, port, cancellation).ConfigureAwait(false);
        return new ClusterReply(result.Success, result.Message);
    }

    public IReadOnlyList<ClusterMemberView> Members()
    {
        ClusterNode? node;
        lock (_gate) node = _node;
        if (node is null) return [];
        return node.Members.Select(m => new ClusterMemberView(m.Alias, m.Host, m.Port, m.Status.ToString())).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        ClusterNode? node;
        lock (_gate) node = _node;
        if (node is not null) await node.DisposeAsync().ConfigureAwait(false);
    }

    private bool TryGetNode(out ClusterNode node, out ClusterReply? failure)
    {
        failure = null;
        lock (_gate)
        {
            try
            {
                _node ??= createNode();
            }
            catch (Exception e) when (e is CommandFailure or ArgumentException or IOException)
            {
                failure = new ClusterReply(false, $"cluster not available: {e.Message}");
            }
            node = _node!;
        }
        return failure is null;
    }
}
