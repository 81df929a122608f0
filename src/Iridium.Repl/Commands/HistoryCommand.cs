using System.Globalization;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary><c>!history</c>: the lines typed in this session, numbered (the <c>!history</c> line included, as in the original).</summary>
internal sealed class HistoryCommand : SimpleReplCommand
{
    public override string Name => "!history";
    public override string Summary => "list the lines typed in this session";

    protected override ReplOutcome Run(ReplSession session)
    {
        var history = session.History;
        int width = history.Count.ToString(CultureInfo.InvariantCulture).Length;
        for (int i = 0; i < history.Count; i++)
            session.Say($"{(i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)}  {history[i]}");
        return ReplOutcome.Continue;
    }
}
