namespace Iridium.Repl.Cluster;

/// <summary>The outcome of a cluster command, as the REPL shows it.</summary>
public sealed record ClusterReply(bool Success, string Message);

/// <summary>
/// What the REPL's cluster commands need from the node's cluster (docs/reference/runtime.md). The REPL only
/// depends on this; the adapter over <c>Iridium.Cluster.ClusterNode</c> is supplied by the host.
/// </summary>
public interface IClusterControl
{
    /// <summary>Binds the cluster listener (a no-op success when it already listens).</summary>
    Task<ClusterReply> StartAsync(CancellationToken cancellation);

    /// <summary>Joins the cluster that HOST:PORT belongs to, starting the listener first if needed.</summary>
    Task<ClusterReply> JoinAsync(string host, int port, CancellationToken cancellation);

    /// <summary>The members known now, this node included, as `iridium members` prints them (a header row first); empty before the cluster exists.</summary>
    IReadOnlyList<string> MembersTable();

    /// <summary>
    /// Runs <paramref name="image"/> on the member <paramref name="target"/> (an alias, "any" or
    /// "all"), as `iridium exec --on` does; <paramref name="output"/> gets its output as it arrives, and the
    /// reply says how it ended. Cancelling stops the remote program.
    /// </summary>
    Task<ClusterReply> ExecAsync(string target, string program, byte[] image, Action<string> output, CancellationToken cancellation);

    /// <summary>Every process on every up member, as `iridium ps` prints them (a header row first).</summary>
    Task<IReadOnlyList<string>> ProcessesAsync(CancellationToken cancellation);

    /// <summary>
    /// Stops the process <paramref name="processId"/> (ALIAS.N) wherever it runs; with
    /// <paramref name="group"/>, every process of its group on every member, as `iridium kill --group` does.
    /// </summary>
    Task<ClusterReply> KillAsync(string processId, bool group, CancellationToken cancellation);

    /// <summary>
    /// The output kept of the detached group whose root is <paramref name="rootId"/>, to
    /// <paramref name="output"/>; with <paramref name="follow"/>, then what it prints until it ends,
    /// as `iridium logs` shows it. The reply says how the group ended, or that it runs on; cancelling
    /// stops following, not the group.
    /// </summary>
    Task<ClusterReply> LogsAsync(string rootId, bool follow, Action<string> output, CancellationToken cancellation);
}
