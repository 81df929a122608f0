namespace Iridium.Assembler.Syntax;

internal enum TokenKind : byte
{
    /// <summary>A bare name: a mnemonic (the parser checks which).</summary>
    Name,
    /// <summary><c>name:</c>; <see cref="Token.Text"/> is the name without the colon.</summary>
    LabelDeclaration,
    /// <summary><c>.name</c>; <see cref="Token.Text"/> is the name without the dot.</summary>
    Directive,
    /// <summary><c>$n</c>; <see cref="Token.Number"/> is n (saturated, so huge numbers stay huge).</summary>
    Register,
    /// <summary><c>#n</c>; <see cref="Token.Number"/> is n, saturated to ±(2^63−1) when it has too many digits.</summary>
    Integer,
    /// <summary><c>#n.m</c>; <see cref="Token.Text"/> is the literal without <c>#</c>.</summary>
    Float,
    /// <summary><c>@name</c>; <see cref="Token.Text"/> is the name.</summary>
    LabelReference,
    /// <summary><c>'text'</c>; <see cref="Token.Text"/> is the text between the quotes.</summary>
    String,
}

/// <summary>
/// One token of a line. <see cref="Column"/> is 1-based; <see cref="Length"/> covers the whole token
/// including its sigil, so errors can underline it.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Column, int Length, long Number = 0, string? Text = null)
{
    public string Describe() => Kind switch
    {
        TokenKind.Name => "a name",
        TokenKind.LabelDeclaration => "a label declaration",
        TokenKind.Directive => "a directive",
        TokenKind.Register => "a register",
        TokenKind.Integer => "an integer",
        TokenKind.Float => "a float",
        TokenKind.LabelReference => "a label reference",
        _ => "a string",
    };
}

/// <summary>A lexical error: where it is and what it is.</summary>
internal readonly record struct LexError(AssemblyErrorKind Kind, int Column, int Length, string Message);
