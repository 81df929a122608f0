namespace Iridium.Cluster.Protocol;

/// <summary>The peer broke the protocol (bad frame, unexpected message, bad field): close that connection only.</summary>
internal sealed class ProtocolException : Exception
{
    public ProtocolException(string message)
        : base(message)
    {
    }

    public ProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>
    /// The length prefix of a frame refused for its size: when the peer speaks a text protocol
    /// instead (the remote REPL greets with "iridium-remote v2 ..."), its first characters.
    /// </summary>
    public byte[]? RefusedFrameHeader { get; init; }
}
