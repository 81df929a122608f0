using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary>A typed command line split into its name, the raw rest and the rest's words.</summary>
internal sealed record CommandArguments(string Name, string Rest)
{
    public string[] Words { get; } = Rest.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    public bool IsEmpty => Words.Length == 0;

    /// <summary>
    /// The form <c>ID [FLAG]</c> (!kill ID --group, !logs ID --follow): false for anything else, a
    /// flag in ID's place included.
    /// </summary>
    public bool TryIdAndFlag(string flag, out string id, out bool flagged)
    {
        id = Words.Length > 0 ? Words[0] : "";
        flagged = Words.Length == 2 && Words[1] == flag;
        return (Words.Length == 1 || flagged) && !id.StartsWith("--", StringComparison.Ordinal);
    }

    public static CommandArguments Parse(string line)
    {
        int space = line.IndexOfAny([' ', '\t']);
        return space < 0 ? new(line, "") : new(line[..space], line[(space + 1)..].Trim());
    }
}

/// <summary>One <c>!command</c> (docs/reference/runtime.md). Each lives in its own small class, listed in <see cref="CommandTable"/>.</summary>
internal abstract class ReplCommand
{
    /// <summary>The name as typed, with the <c>!</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The name and its arguments, for the usage line and <c>!help</c>.</summary>
    public virtual string Usage => Name;

    /// <summary>One line for <c>!help</c>.</summary>
    public abstract string Summary { get; }

    /// <summary>False for commands a remote session may not use.</summary>
    public virtual bool AllowedRemotely => true;

    public abstract ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation);

    protected static ValueTask<ReplOutcome> Continue => ValueTask.FromResult(ReplOutcome.Continue);

    /// <summary>Reports bad arguments; commands never throw for them.</summary>
    protected ValueTask<ReplOutcome> UsageError(ReplSession session, string? why = null)
    {
        session.Say(why is null ? $"usage: {Usage}" : $"{why}; usage: {Usage}");
        return Continue;
    }
}

/// <summary>A command that takes no arguments and cannot wait: only <see cref="Run"/> to write.</summary>
internal abstract class SimpleReplCommand : ReplCommand
{
    public sealed override ValueTask<ReplOutcome> RunAsync(ReplSession session, CommandArguments arguments, CancellationToken cancellation)
    {
        if (!arguments.IsEmpty) return UsageError(session, $"{Name} takes no arguments");
        return ValueTask.FromResult(Run(session));
    }

    protected abstract ReplOutcome Run(ReplSession session);
}
