using System.Collections.Concurrent;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;

namespace Iridium.Cluster.Tests.Support;

/// <summary>A connection's handler that keeps every message it is handed, in order, and how the connection closed.</summary>
internal sealed class RecordingHandler : IConnectionHandler
{
    public ConcurrentQueue<IClusterMessage> Messages { get; } = new();
    public TaskCompletionSource<ConnectionClose> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnMessage(ClusterConnection connection, IClusterMessage message) => Messages.Enqueue(message);

    public void OnClosed(ClusterConnection connection, ConnectionClose close) => Closed.TrySetResult(close);
}
