using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary><c>!quit</c>: ends this session only (a remote user's <c>!quit</c> no longer ends the process).</summary>
internal sealed class QuitCommand : SimpleReplCommand
{
    public override string Name => "!quit";
    public override string Summary => "end this session";

    protected override ReplOutcome Run(ReplSession session)
    {
        session.Say(ReplText.Farewell);
        return ReplOutcome.Quit;
    }
}
