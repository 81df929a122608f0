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
}
