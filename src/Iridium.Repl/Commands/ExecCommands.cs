using System.Text;
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
    /// <summary>The longest line shown whole; a longer one is shown in pieces of this size.</summary>
    public const int MaxLineChars = 64 * 1024;

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

        // Each newline ends a line; the text after the last one waits for the next chunk (or the
        // end), but never more than MaxLineChars of it: a remote program that prints without
        // newlines must not grow the REPL without bound (`iridium exec` holds lines back the same way).
        var pending = new StringBuilder();
        void Output(string text)
        {
            int start = 0;
            for (int newline; (newline = text.IndexOf('\n', start)) >= 0; start = newline + 1)
            {
                session.Say(pending.Append(text, start, newline - start).ToString());
                pending.Clear();
            }
            pending.Append(text, start, text.Length - start);
            while (pending.Length >= MaxLineChars)
            {
                session.Say(pending.ToString(0, MaxLineChars));
                pending.Remove(0, MaxLineChars);
            }
        }
        var reply = await cluster.ExecAsync(words[0], Path.GetFileName(program.Path), program.Image, Output, cancellation).ConfigureAwait(false);
        if (pending.Length > 0) session.Say(pending.ToString());
        session.Say(reply.Message);
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
        string[] words = arguments.Words;
        bool group = words.Length == 2 && words[1] == GroupFlag;
        if (words.Length != 1 && !group) return await UsageError(session).ConfigureAwait(false);
        if (words[0].StartsWith("--", StringComparison.Ordinal)) return await UsageError(session).ConfigureAwait(false);
        if (ClusterOf(session) is not { } cluster) return ReplOutcome.Continue;
        session.Say((await cluster.KillAsync(words[0], group, cancellation).ConfigureAwait(false)).Message);
        return ReplOutcome.Continue;
    }
}
