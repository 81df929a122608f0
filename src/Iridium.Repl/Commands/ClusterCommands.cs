using System.Globalization;
using Iridium.Repl.Cluster;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary>Shared by the cluster commands: they need the node's cluster, which remote sessions and bare hosts lack.</summary>
internal abstract class ClusterCommand : ReplCommand
{
    public override bool AllowedRemotely => false;

    protected static IClusterControl? ClusterOf(ReplSession session)
    {
        if (session.Options.Cluster is null) session.Say("cluster not available in this process");
        return session.Options.Cluster;
    }
}

/// <summary><c>!start_cluster</c>: binds the cluster listener and reports success or the bind error.</summary>
internal sealed class StartClusterCommand : ClusterCommand
{
    public override string Name => "!start_cluster";
    public override string Summary => "start this node's cluster listener (--server-bind-host/--server-bind-port)";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        if (!arguments.IsEmpty) return await UsageError(session, $"{Name} takes no arguments").ConfigureAwait(false);
        if (ClusterOf(session) is not { } cluster) return ReplOutcome.Continue;
        var reply = await cluster.StartAsync(cancellation).ConfigureAwait(false);
        session.Say(reply.Message);
        return ReplOutcome.Continue;
    }
}

/// <summary><c>!join_cluster HOST PORT</c>: joins the cluster a member belongs to; bad arguments get a usage line (the original panicked).</summary>
internal sealed class JoinClusterCommand : ClusterCommand
{
    public override string Name => "!join_cluster";
    public override string Usage => "!join_cluster HOST PORT";
    public override string Summary => "join the cluster of the member at HOST:PORT";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        var words = arguments.Words;
        if (words.Length != 2) return await UsageError(session).ConfigureAwait(false);
        if (!int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            return await UsageError(session, $"PORT must be a number from 1 to 65535, not {words[1]}").ConfigureAwait(false);
        if (ClusterOf(session) is not { } cluster) return ReplOutcome.Continue;
        session.Say($"joining the cluster at {words[0]}:{port}...");
        var reply = await cluster.JoinAsync(words[0], port, cancellation).ConfigureAwait(false);
        session.Say(reply.Message);
        return ReplOutcome.Continue;
    }
}

/// <summary><c>!cluster_members</c>: the table `iridium members` prints, sorted by alias.</summary>
internal sealed class ClusterMembersCommand : ClusterCommand
{
    public override string Name => "!cluster_members";
    public override string Summary => "list the known cluster members";

    public override ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        if (!arguments.IsEmpty) return UsageError(session, $"{Name} takes no arguments");
        if (ClusterOf(session) is not { } cluster) return Continue;
        var rows = cluster.MembersTable();
        if (rows.Count == 0) session.Say("no known members (start with !start_cluster or !join_cluster HOST PORT)");
        foreach (var row in rows) session.Say(row);
        return Continue;
    }
}
