namespace Iridium.Cluster.Connections;

/// <summary>Why a connection ended. Control flow branches on this, never on the detail text.</summary>
internal enum CloseReason : byte
{
    /// <summary>The other side closed its end (end of stream).</summary>
    ClosedByPeer,
    /// <summary>Reading failed (reset, network error).</summary>
    ReceiveFailed,
    /// <summary>Writing failed (reset, network error).</summary>
    SendFailed,
    /// <summary>The other side broke the protocol: a bad frame, an unexpected message, a bad field.</summary>
    ProtocolError,
    /// <summary>A bug in a message handler; the connection is closed so the node carries on.</summary>
    InternalError,
    /// <summary>The handshake did not succeed: refused, timed out, or not authenticated.</summary>
    HandshakeFailed,
    /// <summary>Pushed out of the unauthenticated-connection budget by a newer connection.</summary>
    Dropped,
    /// <summary>Lost a simultaneous-dial race: the other connection between the same nodes carries on.</summary>
    Superseded,
    /// <summary>The peer said it is leaving the cluster.</summary>
    PeerLeft,
    /// <summary>The peer was silent for the failure timeout.</summary>
    NoHeartbeat,
    /// <summary>This node is leaving or shutting down.</summary>
    Leaving,
    /// <summary>The other side did not read what it was sent: its queue went past its bound in bytes.</summary>
    NotReading,
    /// <summary>An authenticated client sent nothing and had nothing running for the idle timeout.</summary>
    Idle,
    /// <summary>This side has finished with the connection (a client tool, a duplicate after the race).</summary>
    Done,
}

/// <summary>How a connection ended: the reason to act on, and a detail for people (log lines).</summary>
internal sealed record ConnectionClose(CloseReason Reason, string Detail)
{
    /// <summary>The peer misbehaved or we have a bug: worth a warning, unlike a routine close.</summary>
    public bool IsFault => Reason is CloseReason.ProtocolError or CloseReason.InternalError;

    public override string ToString() => Detail;
}
