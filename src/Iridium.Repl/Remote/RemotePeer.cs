namespace Iridium.Repl.Remote;

/// <summary>Where a remote connection came from, read once when it was accepted: its address (what limits are counted by) and its endpoint (what log lines show).</summary>
internal sealed record RemotePeer(string Address, string EndPoint);
