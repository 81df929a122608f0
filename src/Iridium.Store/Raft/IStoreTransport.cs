namespace Iridium.Store.Raft;

/// <summary>
/// How voters reach each other: a request to a named voter and its reply. On a node this rides the
/// authenticated mesh connection to that voter; tests use an in-memory network with injected
/// faults. A voter that cannot be reached (no connection, connection lost, no reply in time) makes
/// <see cref="RequestAsync"/> throw <see cref="VoterUnreachableException"/>.
/// </summary>
public interface IStoreTransport
{
    /// <summary>Sends <paramref name="request"/> to the voter named <paramref name="voter"/> and returns its reply.</summary>
    Task<IRaftReply> RequestAsync(string voter, IRaftRequest request, CancellationToken token);

    /// <summary>Where requests from other voters go: sender's name, the request; the reply is sent back.</summary>
    void Serve(Func<string, IRaftRequest, CancellationToken, Task<IRaftReply>> handler);
}

public sealed class VoterUnreachableException(string voter, string reason) : Exception($"voter {voter}: {reason}")
{
    public string Voter { get; } = voter;

    /// <summary>True when the request never left this node (no connection, too many open calls): trying another voter cannot repeat it.</summary>
    public bool NotSent { get; init; }
}
