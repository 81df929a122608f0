using Iridium.Repl.Engine;
using Iridium.Repl.Programs;

namespace Iridium.Repl.Commands;

/// <summary>
/// <c>!exec ALIAS PATH</c>: assembles PATH here and runs it on the cluster member ALIAS (or
/// <c>any</c>, or <c>all</c> with each line prefixed <c>[alias] </c>), as `iridium exec --on` does: the output is shown as it arrives, line by line, then how
/// it ended. Ctrl-C stops the remote program.
/// </summary>
internal sealed class ExecClusterCommand : ClusterCommand
{
    public override string Name => "!exec";
    public override string Usage => "!exec ALIAS PATH";
    public override string Summary => "run PATH on the cluster member ALIAS ('any': the least busy, 'all': every up member); its output is shown as it arrives";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        var words = arguments.Words;
        if (words.Length < 2) return await UsageError(session).ConfigureAwait(false);
        if (ClusterOf(session) is not { } cluster) return ReplOutcome.Continue;
        string path = arguments.Rest[arguments.Rest.IndexOf(words[1], StringComparison.Ordinal)..];
        var program = await ProgramLoader.LoadAsync(session, path, cancellation).ConfigureAwait(false);
        if (program is null) return ReplOutcome.Continue;

        var lines = new RemoteLines(session);
        var reply = await cluster.ExecAsync(words[0], Path.GetFileName(program.Path), program.Image, lines.Add, cancellation).ConfigureAwait(false);
        lines.Finish();
        session.Say(reply.Message);
        return ReplOutcome.Continue;
    }
}

/// <summary>
/// <c>!logs ID [--follow]</c>: the output kept of the detached group whose root is ID, as
/// `iridium logs` shows it; with --follow, then what it prints until it ends. Ctrl-C stops
/// following (the group runs on).
/// </summary>
internal sealed class LogsCommand : ClusterCommand
{
    private const string FollowFlag = "--follow";

    public override string Name => "!logs";
    public override string Usage => "!logs ID [--follow]";
    public override string Summary => "show the output kept of the detached group ID (exec --detach); --follow: and what it prints until it ends";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        if (!arguments.TryIdAndFlag(FollowFlag, out string id, out bool follow)) return await UsageError(session).ConfigureAwait(false);
        if (ClusterOf(session) is not { } cluster) return ReplOutcome.Continue;
        var lines = new RemoteLines(session);
        var reply = await cluster.LogsAsync(id, follow, lines.Add, cancellation).ConfigureAwait(false);
        lines.Finish();
        if (reply.Message.Length > 0) session.Say(reply.Message);
        return ReplOutcome.Continue;
    }
}

/// <summary><c>!ps</c>: every process on every up member of the cluster, as `iridium ps` lists them.</summary>
internal sealed class ProcessesCommand : ClusterCommand
{
    public override string Name => "!ps";
    public override string Summary => "list the programs every cluster member runs or queues";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        if (!arguments.IsEmpty) return await UsageError(session, $"{Name} takes no arguments").ConfigureAwait(false);
        if (ClusterOf(session) is not { } cluster) return ReplOutcome.Continue;
        foreach (string row in await cluster.ProcessesAsync(cancellation).ConfigureAwait(false)) session.Say(row);
        return ReplOutcome.Continue;
    }
}

/// <summary><c>!kill ID [--group]</c>: stops a process, or its whole group, anywhere in the cluster (as `iridium kill`).</summary>
internal sealed class KillProcessCommand : ClusterCommand
{
    private const string GroupFlag = "--group";

    public override string Name => "!kill";
    public override string Usage => "!kill ID [--group]";
    public override string Summary => "stop the process ID (ALIAS.N, as !ps lists it) wherever it runs; --group: every process of its group, on every member";

    public override async ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        if (!arguments.TryIdAndFlag(GroupFlag, out string id, out bool group)) return await UsageError(session).ConfigureAwait(false);
        if (ClusterOf(session) is not { } cluster) return ReplOutcome.Continue;
        session.Say((await cluster.KillAsync(id, group, cancellation).ConfigureAwait(false)).Message);
        return ReplOutcome.Continue;
    }
}
