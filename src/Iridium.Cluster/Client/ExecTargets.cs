namespace Iridium.Cluster.Client;

/// <summary>Where `exec --on` and the REPL's <c>!exec</c> run a program: one place for what 'all' means.</summary>
public static class ExecTargets
{
    /// <summary>The word for every up member (the contacted node included); each output line is then prefixed <c>[alias] </c>.</summary>
    public const string All = "all";

    /// <summary>
    /// The targets for <paramref name="on"/>: the contacted node for null, every up member for
    /// <see cref="All"/>, else the alias (or "any") itself, which the node resolves.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ResolveAsync(ClusterClient client, string? on) => on switch
    {
        null => [client.NodeAlias],
        All => (await client.MembersAsync().ConfigureAwait(false))
            .Where(m => m.Status is MemberStatus.Self or MemberStatus.Up).Select(m => m.Alias).ToArray(),
        _ => [on],
    };
}
