namespace Iridium.Assembler;

/// <summary>What a label names (docs/reference/assembly.md, "Labels").</summary>
public enum SymbolKind
{
    /// <summary>An absolute code address: header and ro section included.</summary>
    Code,
    /// <summary>An offset into the ro section (what PRTS takes).</summary>
    Data,
}

/// <summary>A defined label and its final value.</summary>
public sealed record Symbol(string Name, int Value, SymbolKind Kind);

/// <summary>
/// Labels by exact, case-sensitive name (docs/reference/assembly.md, "Labels"). <see cref="All"/> keeps declaration
/// order, which is what a listing of the table should show.
/// </summary>
public sealed class SymbolTable
{
    private readonly Dictionary<string, Symbol> _byName = new(StringComparer.Ordinal);
    private readonly List<Symbol> _all = [];

    public static SymbolTable Empty { get; } = new();

    public IReadOnlyList<Symbol> All => _all;

    public int Count => _all.Count;

    public bool TryGet(string name, out Symbol symbol) => _byName.TryGetValue(name, out symbol!);

    /// <summary>Adds a symbol; false (and no change) when the name is already taken.</summary>
    internal bool TryAdd(Symbol symbol)
    {
        if (!_byName.TryAdd(symbol.Name, symbol)) return false;
        _all.Add(symbol);
        return true;
    }
}
