using System.Buffers.Binary;
using System.Text;
using Iridium.Assembler.Diagnostics;
using Iridium.Assembler.Syntax;

namespace Iridium.Assembler.Assembly;

/// <summary>
/// Operand checks and bytes for the data directives (docs/reference/assembly.md): <c>.asciiz</c> (one string,
/// UTF-8 plus NUL), <c>.integer</c> (one signed 32-bit integer, little-endian) and the extensions
/// <c>.bytes</c> / <c>.header</c> (integers 0..255).
/// </summary>
internal static class DataDirectives
{
    /// <summary>Reserved header bytes 4..63 that <c>.header</c> may set.</summary>
    public const int MaxHeaderBytes = 60;

    /// <summary>The directive's bytes, or null after reporting what is wrong with its operands.</summary>
    public static byte[]? Bytes(Directive directive, Token head, ReadOnlySpan<Token> operands, ReadOnlySpan<char> lineText, int line, ErrorSink errors)
    {
        void Fail(AssemblyErrorKind kind, Token at, string message, ReadOnlySpan<char> text) => errors.Add(kind, line, at.Column, at.Length, message, text);

        switch (directive)
        {
            case Directive.Asciiz:
                if (operands.Length != 1 || operands[0].Kind != TokenKind.String)
                {
                    Fail(AssemblyErrorKind.InvalidOperands, operands.Length == 1 ? operands[0] : head,
                        $".asciiz takes exactly one 'string', got {Describe(operands)}", lineText);
                    return null;
                }
                var text = operands[0].Text!;
                var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
                Encoding.UTF8.GetBytes(text, bytes);
                return bytes;

            case Directive.Integer:
                if (operands.Length != 1 || operands[0].Kind != TokenKind.Integer)
                {
                    Fail(AssemblyErrorKind.InvalidOperands, operands.Length == 1 ? operands[0] : head,
                        $".integer takes exactly one #integer, got {Describe(operands)}", lineText);
                    return null;
                }
                if (operands[0].Number is < int.MinValue or > int.MaxValue)
                {
                    Fail(AssemblyErrorKind.IntegerOutOfRange, operands[0], ".integer must fit signed 32 bits (-2147483648..2147483647)", lineText);
                    return null;
                }
                var word = new byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(word, (int)operands[0].Number);
                return word;

            default: // .bytes, .header
                string name = directive == Directive.Bytes ? ".bytes" : ".header";
                int max = directive == Directive.Bytes ? int.MaxValue : MaxHeaderBytes;
                if (operands.Length == 0 || operands.Length > max)
                {
                    Fail(AssemblyErrorKind.InvalidOperands, operands.Length == 0 ? head : operands[max],
                        $"{name} takes 1..{(max == int.MaxValue ? "any number of" : max.ToString())} byte values like #255", lineText);
                    return null;
                }
                var raw = new byte[operands.Length];
                bool ok = true;
                for (int i = 0; i < operands.Length; i++)
                {
                    var token = operands[i];
                    if (token.Kind != TokenKind.Integer)
                    {
                        Fail(AssemblyErrorKind.InvalidOperands, token, $"{name} takes byte values like #255, not {token.Describe()}", lineText);
                        ok = false;
                    }
                    else if (token.Number is < 0 or > 255)
                    {
                        Fail(AssemblyErrorKind.IntegerOutOfRange, token, $"a byte value must be 0..255", lineText);
                        ok = false;
                    }
                    else
                    {
                        raw[i] = (byte)token.Number;
                    }
                }
                return ok ? raw : null;
        }
    }

    private static string Describe(ReadOnlySpan<Token> operands)
        => operands.Length switch
        {
            0 => "nothing",
            1 => operands[0].Describe(),
            _ => $"{operands.Length} operands",
        };
}
