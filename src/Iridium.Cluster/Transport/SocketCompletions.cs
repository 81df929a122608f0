namespace Iridium.Cluster.Transport;

/// <summary>
/// Where a node's socket reads continue. By default .NET hands every completed socket operation
/// from its socket engine's thread to the thread pool, so a message between processes on two
/// members crossed two threads on arrival (the engine's, then a pool thread's) before the
/// receiving scheduler thread was woken; on a small, loaded machine each hand-off is a context
/// switch that may wait for a processor, and they were most of a round trip's time. Run inline,
/// the engine's thread decodes the frame and posts the message itself.
/// <para>
/// That is safe because nothing a node runs on a read loop blocks: every connection handler and
/// peer service is held to "keep it short, never block" (<see cref="Connections.IConnectionHandler"/>,
/// <see cref="Routing.IPeerService"/>; the store hands its work on, the remote REPL queues lines),
/// and the one costly step on an unauthenticated connection, the key exchange, moves to the
/// thread pool first (<see cref="Connections.Handshake.AcceptAsync"/>).
/// </para>
/// </summary>
public static class SocketCompletions
{
    /// <summary>The runtime's switch, read once when the first asynchronous socket operation starts its engine.</summary>
    private const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Makes completed socket reads continue on the socket engine's thread. Call it first thing in
    /// a process that runs a node, before any socket is used: afterwards it has no effect. An
    /// explicit setting in the environment is left as it is (0 turns the behaviour off).
    /// </summary>
    public static void RunInline()
    {
        if (Environment.GetEnvironmentVariable(InlineVariable) is null) Environment.SetEnvironmentVariable(InlineVariable, "1");
    }
}
