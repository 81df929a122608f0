using System.IO.Pipelines;

namespace Iridium.Cluster.Transport;

/// <summary>
/// A byte stream as a pair of pipes (Orleans' transport layer): a socket in production, an
/// in-memory <see cref="Pipe"/> pair in tests, so everything above it runs without sockets.
/// </summary>
internal interface IConnectionTransport : IDuplexPipe, IDisposable
{
    /// <summary>The peer's address as this side sees it (an IP literal for sockets).</summary>
    string RemoteHost { get; }

    /// <summary>This side's address of the connection: what the peer connected to.</summary>
    string LocalHost { get; }

    /// <summary>
    /// Asks the network to notice within about <paramref name="within"/> that the other side's host
    /// is gone (TCP keepalive, and a bound on unacknowledged data), so a half-open connection ends.
    /// </summary>
    void KeepAlive(TimeSpan within);

    /// <summary>Signals end of stream to the peer after what was written (TCP FIN), keeping the input open.</summary>
    void ShutdownOutput();
}
