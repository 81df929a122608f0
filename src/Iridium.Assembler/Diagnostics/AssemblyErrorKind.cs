namespace Iridium.Assembler;

/// <summary>The error kinds of docs/reference/assembly.md, "Errors" (users and tests rely on the names).</summary>
public enum AssemblyErrorKind
{
    /// <summary>A line does not match the grammar (stray characters, missing sigil, two statements, bad number syntax).</summary>
    ParseError,
    /// <summary>A <c>'</c> string is not closed before the end of its line.</summary>
    UnterminatedString,
    /// <summary>An instruction in <c>.data</c> or a data directive in <c>.code</c>.</summary>
    WrongSection,
    /// <summary><c>.data</c> or <c>.code</c> appears twice (also a second <c>.header</c>).</summary>
    DuplicateSection,
    /// <summary>A <c>.name</c> that is not a known directive.</summary>
    UnknownDirectiveFound,
    /// <summary><c>.asciiz</c> or <c>.integer</c> without a label.</summary>
    StringConstantDeclaredWithoutLabel,
    /// <summary>A label defined twice.</summary>
    SymbolAlreadyDeclared,
    /// <summary><c>@name</c> with no definition.</summary>
    UndefinedSymbol,
    /// <summary>A mnemonic that is not one of the opcodes.</summary>
    UnknownOpcode,
    /// <summary>Wrong number or kind of operands.</summary>
    InvalidOperands,
    /// <summary>A register number above 31.</summary>
    InvalidRegister,
    /// <summary>A literal outside the range its field allows.</summary>
    IntegerOutOfRange,
    /// <summary>A label value that does not fit a 16-bit field.</summary>
    AddressOutOfRange,
}
