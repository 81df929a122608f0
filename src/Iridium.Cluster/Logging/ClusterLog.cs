using Microsoft.Extensions.Logging;

namespace Iridium.Cluster.Logging;

/// <summary>
/// Every log line the cluster writes, source-generated (no boxing, AOT-safe). Membership changes
/// are one line each at Information and start with "node up:" / "node down:" so scripts can grep them.
/// Text that came from the network is passed through <see cref="UntrustedText.Escape"/> (aliases
/// and hosts are checked against their rules before they get here), so a line is always one line.
/// </summary>
internal static partial class ClusterLog
{
    [LoggerMessage(1, LogLevel.Information, "node up: {Alias} {NodeId} {Endpoint}")]
    public static partial void NodeUp(ILogger logger, string alias, Guid nodeId, string endpoint);

    [LoggerMessage(2, LogLevel.Information, "node down: {Alias} ({Reason})")]
    public static partial void NodeDown(ILogger logger, string alias, string reason);

    [LoggerMessage(3, LogLevel.Information, "listening on {BindEndpoint} as {Alias} {NodeId}, advertising port {Port}")]
    public static partial void Listening(ILogger logger, string bindEndpoint, string alias, Guid nodeId, int port);

    [LoggerMessage(4, LogLevel.Information, "port {Port} is taken, trying the next one")]
    public static partial void PortTaken(ILogger logger, int port);

    [LoggerMessage(5, LogLevel.Warning, "refused connection from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, string remote, string reason);

    [LoggerMessage(6, LogLevel.Warning, "connection from {Remote} closed: {Reason}")]
    public static partial void BadConnection(ILogger logger, string remote, string reason);

    [LoggerMessage(7, LogLevel.Warning, "{Endpoint} refused us: {Reason}")]
    public static partial void RefusedByPeer(ILogger logger, string endpoint, string reason);

    [LoggerMessage(8, LogLevel.Debug, "cannot reach {Endpoint}: {Reason}")]
    public static partial void DialFailed(ILogger logger, string endpoint, string reason);

    [LoggerMessage(9, LogLevel.Information, "no seed answered; retrying in {DelayMs} ms")]
    public static partial void SeedRetry(ILogger logger, long delayMs);

    [LoggerMessage(10, LogLevel.Information, "joined the cluster through {Endpoint}")]
    public static partial void Joined(ILogger logger, string endpoint);

    [LoggerMessage(11, LogLevel.Warning, "lost every peer; rejoining through the seeds")]
    public static partial void Rejoining(ILogger logger);

    [LoggerMessage(12, LogLevel.Information, "left the cluster ({PeerCount} peers told)")]
    public static partial void Left(ILogger logger, int peerCount);

    [LoggerMessage(13, LogLevel.Debug, "connection to {Alias} replaced ({Reason})")]
    public static partial void Replaced(ILogger logger, string alias, string reason);

    [LoggerMessage(14, LogLevel.Warning, "unauthenticated connections in the last {Seconds} s: {Dropped} dropped to make room (at most {Budget} at once, {PerAddress} per address), {Failed} failed their handshake, {Unlogged} refusals not logged one by one")]
    public static partial void UnauthenticatedSummary(ILogger logger, int seconds, long dropped, int budget, int perAddress, long failed, long unlogged);

    [LoggerMessage(18, LogLevel.Debug, "connection from {Remote} closed before authenticating: {Reason}")]
    public static partial void HandshakeJunk(ILogger logger, string remote, string reason);

    [LoggerMessage(21, LogLevel.Error, "internal error in the membership timer ({ExceptionType}: {Message}); carrying on")]
    public static partial void TickFailed(ILogger logger, string exceptionType, string message);

    [LoggerMessage(20, LogLevel.Warning, "a round of seed dials failed ({ExceptionType}: {Message}); retrying")]
    public static partial void SeedRoundFailed(ILogger logger, string exceptionType, string message);

    [LoggerMessage(19, LogLevel.Information, "forgot down member {Alias} {NodeId}: {Reason}")]
    public static partial void Forgotten(ILogger logger, string alias, Guid nodeId, string reason);

    [LoggerMessage(17, LogLevel.Debug, "kept the existing connection to {Alias}; refused the duplicate from {Remote}")]
    public static partial void DuplicateRefused(ILogger logger, string remote, string alias);

    [LoggerMessage(22, LogLevel.Debug, "refused our own dial from {Remote} (this node is among its seeds)")]
    public static partial void SelfRefused(ILogger logger, string remote);

    [LoggerMessage(16, LogLevel.Warning, "dropped an outgoing {MessageType}: {Reason}")]
    public static partial void SendDropped(ILogger logger, string messageType, string reason);

    [LoggerMessage(23, LogLevel.Error, "cannot join: {Reason}")]
    public static partial void AliasRefused(ILogger logger, string reason);
}
