namespace Iridium.Assembler.Disassembly;

/// <summary>
/// The label names of one listing: the program's own (its source's symbols) where they fit, generated
/// ones (<c>L80</c>, <c>str0</c>) elsewhere, and never one name for two places. A code symbol fits
/// on an instruction boundary of the code or its end; a data symbol on the start of a recovered ro
/// entry. Every source name is reserved, placed or not, so a generated name never repeats one.
/// </summary>
internal sealed class ProgramLabels
{
    private readonly Dictionary<int, List<string>> _code = [];   // address: the program's names, in declaration order
    private readonly Dictionary<int, string> _data = [];         // ro offset: the program's first name
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <param name="codeEnd">Address just past the last whole instruction word.</param>
    public ProgramLabels(SymbolTable? symbols, int codeStart, int codeEnd)
    {
        foreach (var symbol in symbols?.All ?? [])
        {
            _taken.Add(symbol.Name);
            if (symbol.Kind == SymbolKind.Data)
            {
                _data.TryAdd(symbol.Value, symbol.Name);
            }
            else if (symbol.Value >= codeStart && symbol.Value <= codeEnd && (symbol.Value - codeStart) % 4 == 0)
            {
                if (!_code.TryGetValue(symbol.Value, out var names)) _code[symbol.Value] = names = [];
                names.Add(symbol.Name);
            }
        }
    }

    /// <summary>The name operands use for each jump target: the program's first label there, else a generated one.</summary>
    public Dictionary<int, string> ForCode(IEnumerable<int> targets)
        => targets.Order().ToDictionary(t => t, t => _code.TryGetValue(t, out var own) ? own[0] : Unique($"L{t}"));

    /// <summary>Every label line before the instruction at <paramref name="address"/>: all of the program's, referenced or not, or the generated one.</summary>
    public IReadOnlyList<string> AllAt(int address, Dictionary<int, string> codeLabels)
        => _code.TryGetValue(address, out var own) ? own : codeLabels.TryGetValue(address, out var generated) ? [generated] : [];

    /// <summary>
    /// The label of the ro entry at <paramref name="offset"/>: the program's, else <paramref name="generated"/>
    /// made unique (null, for raw bytes nothing points at, stays null).
    /// </summary>
    public string? ForData(int offset, string? generated)
        => _data.TryGetValue(offset, out var own) ? own : generated is null ? null : Unique(generated);

    private string Unique(string preferred)
    {
        string name = preferred;
        for (int n = 1; !_taken.Add(name); n++) name = $"{preferred}_{n}";
        return name;
    }
}
