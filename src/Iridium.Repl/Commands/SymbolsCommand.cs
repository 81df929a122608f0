using System.Globalization;
using Iridium.Assembler;
using Iridium.Repl.Engine;

namespace Iridium.Repl.Commands;

/// <summary><c>!symbols</c>: the labels of the last loaded program, in declaration order.</summary>
internal sealed class SymbolsCommand : SimpleReplCommand
{
    public override string Name => "!symbols";
    public override string Summary => "list the labels of the last loaded program (typed lines can use them as @name)";

    protected override ReplOutcome Run(ReplSession session)
    {
        var symbols = session.Symbols.All;
        if (symbols.Count == 0)
        {
            session.Say("no symbols: load a program with !load_file");
            return ReplOutcome.Continue;
        }
        int width = symbols.Max(s => s.Name.Length);
        foreach (var symbol in symbols)
        {
            string kind = symbol.Kind == SymbolKind.Code ? "code address" : "ro data offset";
            session.Say($"  {symbol.Name.PadRight(width)}  {symbol.Value.ToString(CultureInfo.InvariantCulture),6}  {kind}");
        }
        return ReplOutcome.Continue;
    }
}
