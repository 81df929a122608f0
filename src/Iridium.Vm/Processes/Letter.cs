namespace Iridium.Vm;

/// <summary>
/// One entry of a mailbox: a message (its payload and its sender) or a down notice (the process
/// that ended and why). A struct in the mailbox's queue, so a message costs its payload array only.
/// </summary>
internal readonly struct Letter
{
    private Letter(Process peer, byte[]? payload, DownReason reason)
    {
        Peer = peer;
        Payload = payload;
        Reason = reason;
    }

    /// <summary>The sender of a message, or the process a down notice is about.</summary>
    public Process Peer { get; }

    /// <summary>The message's bytes; null for a down notice.</summary>
    public byte[]? Payload { get; }

    public DownReason Reason { get; }

    public bool IsDownNotice => Payload is null;

    public static Letter Message(Process sender, byte[] payload) => new(sender, payload, default);

    public static Letter Down(Process about, DownReason reason) => new(about, null, reason);
}
