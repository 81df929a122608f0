using Iridium.Vm;

namespace Iridium.Assembler.Syntax;

/// <summary>The directives the assembler knows (docs/reference/assembly.md).</summary>
internal enum Directive : byte
{
    None,
    /// <summary><c>.data</c> section header.</summary>
    Data,
    /// <summary><c>.code</c> section header.</summary>
    Code,
    /// <summary><c>.asciiz 'text'</c>: the UTF-8 text and a NUL in the ro section.</summary>
    Asciiz,
    /// <summary><c>.integer #n</c>: n as 4 bytes little-endian in the ro section.</summary>
    Integer,
    /// <summary>Extension: <c>.bytes #b ...</c>, raw bytes in the current section (src/Iridium.Assembler/README.md).</summary>
    Bytes,
    /// <summary>Extension: <c>.header #b ...</c>, the reserved header bytes 4..63.</summary>
    Header,
}

internal enum ItemKind : byte
{
    /// <summary>A label declaration; <see cref="Item.Head"/> is the label token.</summary>
    Label,
    /// <summary><c>.data</c> or <c>.code</c>.</summary>
    Section,
    /// <summary>A data directive (<c>.asciiz</c>, <c>.integer</c>, <c>.bytes</c>, <c>.header</c>).</summary>
    Data,
    /// <summary>An instruction with a known mnemonic.</summary>
    Instruction,
}

/// <summary>
/// One parsed element of the source, in source order. Operands live in a shared token list
/// (<see cref="OperandStart"/>, <see cref="OperandCount"/>) so a 100,000-line program does not
/// allocate an array per line.
/// </summary>
internal readonly record struct Item(
    ItemKind Kind, int Line, Token Head, Directive Directive = Directive.None, OpcodeInfo? Opcode = null,
    int OperandStart = 0, int OperandCount = 0);

/// <summary>The parsed source: items plus the operand tokens they point into.</summary>
internal sealed class ParsedSource(SourceText source)
{
    public SourceText Source { get; } = source;
    public List<Item> Items { get; } = [];
    public List<Token> Operands { get; } = [];

    public ReadOnlySpan<Token> OperandsOf(in Item item)
        => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Operands).Slice(item.OperandStart, item.OperandCount);
}
