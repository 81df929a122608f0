using System.IO.Pipelines;

namespace Iridium.Cluster.Transport;

/// <summary>
/// An in-memory connection: two pipes crossed over. For tests of every layer above the socket, and
/// for a client inside the node's own process (<see cref="ClusterNode.OpenInProcessClient"/>).
/// </summary>
internal sealed class PipeTransport : IConnectionTransport
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private int _disposed;

    private PipeTransport(PipeReader input, PipeWriter output, string localHost, string remoteHost)
    {
        _input = input;
        _output = output;
        LocalHost = localHost;
        RemoteHost = remoteHost;
    }

    public PipeReader Input => _input;
    public PipeWriter Output => _output;
    public string RemoteHost { get; }
    public string LocalHost { get; }

    /// <summary>Two connected ends: what one writes, the other reads; each end's <see cref="RemoteHost"/> is the other's name.</summary>
    public static (PipeTransport Dialer, PipeTransport Acceptor) CreatePair(string dialerHost = "10.0.0.1", string acceptorHost = "10.0.0.2")
    {
        var toAcceptor = new Pipe();
        var toDialer = new Pipe();
        return (new PipeTransport(toDialer.Reader, toAcceptor.Writer, dialerHost, acceptorHost),
                new PipeTransport(toAcceptor.Reader, toDialer.Writer, acceptorHost, dialerHost));
    }

    public void ShutdownOutput() => _output.Complete();

    /// <summary>Memory does not go half-open.</summary>
    public void KeepAlive(TimeSpan within)
    {
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _output.Complete();
        _input.Complete();
    }
}
