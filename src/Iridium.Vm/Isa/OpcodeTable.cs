namespace Iridium.Vm;

/// <summary>
/// The opcode metadata the assembler, disassembler and REPL help use. The data is generated from
/// the <see cref="OpcodeAttribute"/> definitions; this file only indexes it.
/// </summary>
public static partial class OpcodeTable
{
    private static readonly OpcodeInfo[] s_all = CreateDefinitions();
    private static readonly OpcodeInfo?[] s_byNumber = IndexByNumber(s_all);
    // A plain dictionary, not a FrozenDictionary: building a frozen one and its first span lookup
    // (a generic virtual method resolved at run time) cost 0.27 M instructions, more than the rest
    // of `iridium run` of a small source file; for 52 keys it is no faster afterwards.
    private static readonly Dictionary<string, OpcodeInfo> s_byMnemonic = IndexByMnemonic(s_all);
    private static readonly Dictionary<string, OpcodeInfo>.AlternateLookup<ReadOnlySpan<char>> s_bySpan =
        s_byMnemonic.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Every defined opcode, by number.</summary>
    public static IReadOnlyList<OpcodeInfo> All => s_all;

    /// <summary>The opcode every undefined byte behaves as (IGL).</summary>
    public static OpcodeInfo Illegal => s_byNumber[CatchAllNumber]!;

    /// <summary>The definition of an opcode byte, or null when the byte is not defined (it then runs as IGL).</summary>
    public static OpcodeInfo? Find(byte number) => s_byNumber[number];

    /// <summary>Looks up a mnemonic, ignoring case.</summary>
    public static bool TryGet(string mnemonic, out OpcodeInfo info) => s_byMnemonic.TryGetValue(mnemonic, out info!);

    public static bool TryGet(ReadOnlySpan<char> mnemonic, out OpcodeInfo info)
        => s_bySpan.TryGetValue(mnemonic, out info!);

    private static Dictionary<string, OpcodeInfo> IndexByMnemonic(OpcodeInfo[] all)
    {
        var table = new Dictionary<string, OpcodeInfo>(all.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var info in all) table.Add(info.Mnemonic, info);
        return table;
    }

    private static OpcodeInfo?[] IndexByNumber(OpcodeInfo[] all)
    {
        var table = new OpcodeInfo?[256];
        foreach (var info in all) table[info.Number] = info;
        return table;
    }
}
