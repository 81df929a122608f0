using Iridium.Assembler.Diagnostics;

namespace Iridium.Assembler.Syntax;

/// <summary>
/// Splits one source line into tokens (docs/reference/assembly.md, "Lines" and "Tokens"): no
/// whitespace inside a token, tokens separated by spaces or tabs, <c>;</c> starts a comment.
/// Lexing stops at the first error, so a line of garbage yields one error, not one per character.
/// </summary>
internal static class Lexer
{
    /// <summary>Beyond this many digits a number is saturated instead of accumulated (no overflow).</summary>
    private const int MaxExactDigits = 18;

    /// <summary>Appends the line's tokens to <paramref name="tokens"/>; returns the first error, if any.</summary>
    public static LexError? Tokenize(ReadOnlySpan<char> line, List<Token> tokens)
    {
        int i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i])) i++;
            if (i >= line.Length || line[i] == ';') return null;

            var error = LexToken(line, ref i, out var token);
            if (error is not null) return error;
            tokens.Add(token);

            // "No whitespace inside a token": the next character must end the token. A label
            // declaration may be followed directly by its statement (`top:inc $1`).
            if (i < line.Length && !IsSpace(line[i]) && line[i] != ';' && token.Kind != TokenKind.LabelDeclaration)
            {
                return new LexError(AssemblyErrorKind.ParseError, i + 1, 1,
                    $"unexpected {ErrorSink.Describe(line[i])} after {token.Describe()}; separate tokens with spaces");
            }
        }
    }

    private static LexError? LexToken(ReadOnlySpan<char> line, ref int i, out Token token)
    {
        int start = i;
        int column = start + 1;
        token = default;
        char c = line[i];
        switch (c)
        {
            case '$':
            {
                i++;
                if (!TryDigits(line, ref i, out long value))
                    return new LexError(AssemblyErrorKind.ParseError, column, 1, "expected a register number after '$' (like $0)");
                token = new Token(TokenKind.Register, column, i - start, value);
                return null;
            }
            case '#':
                return LexNumber(line, ref i, out token);
            case '@':
                return LexSigilName(line, ref i, TokenKind.LabelReference, "a label name", out token);
            case '.':
                return LexSigilName(line, ref i, TokenKind.Directive, "a directive name", out token);
            case '\'':
            {
                int close = line[(i + 1)..].IndexOf('\'');
                if (close < 0)
                {
                    i = line.Length;
                    return new LexError(AssemblyErrorKind.UnterminatedString, column, line.Length - start,
                        "string is not closed before the end of the line (strings cannot span lines or contain ')");
                }
                i += close + 2;
                token = new Token(TokenKind.String, column, i - start, Text: line[(start + 1)..(i - 1)].ToString());
                return null;
            }
        }
        if (IsNameChar(c))
        {
            while (i < line.Length && IsNameChar(line[i])) i++;
            if (i < line.Length && line[i] == ':')
            {
                i++;
                token = new Token(TokenKind.LabelDeclaration, column, i - start, Text: line[start..(i - 1)].ToString());
                return null;
            }
            token = new Token(TokenKind.Name, column, i - start);
            return null;
        }
        i++;
        return new LexError(AssemblyErrorKind.ParseError, column, 1, $"unexpected character {ErrorSink.Describe(c)}");
    }

    /// <summary><c>@name</c> or <c>.name</c>: a sigil directly followed by name characters.</summary>
    private static LexError? LexSigilName(ReadOnlySpan<char> line, ref int i, TokenKind kind, string what, out Token token)
    {
        int start = i;
        char sigil = line[i];
        i++;
        while (i < line.Length && IsNameChar(line[i])) i++;
        if (i == start + 1)
        {
            token = default;
            return new LexError(AssemblyErrorKind.ParseError, start + 1, 1, $"expected {what} after '{sigil}'");
        }
        token = new Token(kind, start + 1, i - start, Text: line[(start + 1)..i].ToString());
        return null;
    }

    /// <summary><c>#</c> ['-'] digits [ '.' digits ].</summary>
    private static LexError? LexNumber(ReadOnlySpan<char> line, ref int i, out Token token)
    {
        int start = i;
        int column = start + 1;
        token = default;
        i++;
        bool negative = i < line.Length && line[i] == '-';
        if (negative) i++;
        if (!TryDigits(line, ref i, out long magnitude))
            return new LexError(AssemblyErrorKind.ParseError, column, Math.Max(1, i - start),
                "expected digits after '#' (like #10, #-5 or #1.5; no hex, no '+')");
        if (i < line.Length && line[i] == '.')
        {
            i++;
            if (!TryDigits(line, ref i, out _))
                return new LexError(AssemblyErrorKind.ParseError, column, i - start,
                    "a float literal needs digits after the '.' (like #1.5)");
            token = new Token(TokenKind.Float, column, i - start, Text: line[(start + 1)..i].ToString());
            return null;
        }
        token = new Token(TokenKind.Integer, column, i - start, negative ? -magnitude : magnitude);
        return null;
    }

    /// <summary>Reads one or more decimal digits; values too long to hold exactly saturate at long.MaxValue.</summary>
    private static bool TryDigits(ReadOnlySpan<char> line, ref int i, out long value)
    {
        int start = i;
        int significant = 0;   // digits after the leading zeros
        value = 0;
        while (i < line.Length && char.IsAsciiDigit(line[i]))
        {
            if (value != 0 || line[i] != '0') significant++;
            value = significant > MaxExactDigits ? long.MaxValue : value * 10 + (line[i] - '0');
            i++;
        }
        return i > start;
    }

    public static bool IsSpace(char c) => c is ' ' or '\t';

    public static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
