using System.Globalization;
using Iridium.Assembler.Diagnostics;
using Iridium.Assembler.Syntax;
using Iridium.Vm;

namespace Iridium.Assembler.Assembly;

/// <summary>
/// Pass 2 for one instruction (docs/reference/assembly.md): checks the operands against the opcode's
/// signature from <see cref="OpcodeTable"/> and writes 4 bytes, or 8 for an expanded LOAD. Shared by
/// the file assembler and the REPL's <see cref="LineAssembler"/>.
/// </summary>
internal static class InstructionEncoder
{
    public const int MaxInstructionBytes = 8;

    /// <summary>
    /// The size decided in pass 1: 8 for <c>load $r #n</c> with n outside 0..65535 (but within
    /// 32 bits), else 4. It depends only on the literal, so layout never needs label values.
    /// </summary>
    public static int SizeOf(OpcodeInfo info, ReadOnlySpan<Token> operands)
        => info.Opcode == Opcode.LOAD && operands.Length == 2 && operands[1].Kind == TokenKind.Integer
           && operands[1].Number is (< 0 or > ushort.MaxValue) and (>= int.MinValue and <= int.MaxValue)
            ? 8 : 4;

    /// <summary>
    /// Encodes into <paramref name="output"/> (room for <see cref="SizeOf"/> bytes) and
    /// returns the byte count, or 0 after reporting the line's first operand error: one line, one
    /// error (swapped operands are one mistake). A label that cannot be used goes to
    /// <paramref name="labelErrors"/> when given, so a whole file reports it once.
    /// </summary>
    public static int Encode(
        OpcodeInfo info, Token mnemonic, ReadOnlySpan<Token> operands, SymbolTable symbols,
        ReadOnlySpan<char> lineText, int line, ErrorSink errors, Span<byte> output, LabelUseErrors? labelErrors = null)
    {
        var context = new Context(info, symbols, lineText, line, errors, labelErrors);
        var kinds = info.Operands;
        int required = kinds.Count > 0 && kinds[^1] == OperandKind.Count ? kinds.Count - 1 : kinds.Count;
        if (operands.Length > kinds.Count)
        {
            var extra = operands[kinds.Count];
            context.Fail(AssemblyErrorKind.InvalidOperands, extra, $"{info.Mnemonic} takes {Expected(info)}; this operand is one too many");
            return 0;
        }
        if (operands.Length < required)
        {
            context.Fail(AssemblyErrorKind.InvalidOperands, mnemonic,
                $"{info.Mnemonic} takes {Expected(info)}, but {Plural(operands.Length, "operand")} {(operands.Length == 1 ? "was" : "were")} given");
            return 0;
        }

        output[..4].Clear();
        output[0] = info.Number;
        int position = 1;
        for (int i = 0; i < kinds.Count; i++)
        {
            var kind = kinds[i];
            int value = 0;   // an omitted COUNT encodes as 0 ("shift by 16")
            if (i < operands.Length && !context.TryValue(kind, operands[i], i + 1, out value)) return 0;
            if (kind.Width() == 1)
            {
                output[position] = (byte)value;
            }
            else
            {
                output[position] = (byte)(value >> 8);
                output[position + 1] = (byte)value;
            }
            position += kind.Width();
        }

        if (SizeOf(info, operands) == 8)
        {
            // LOAD r, high half; LUI r, low half: LUI shifts the high half up and ORs in the low one.
            int n = (int)operands[1].Number;
            output[2] = (byte)(n >> 24);
            output[3] = (byte)(n >> 16);
            output[4] = (byte)Opcode.LUI;
            output[5] = output[1];
            output[6] = (byte)(n >> 8);
            output[7] = (byte)n;
            return 8;
        }
        return 4;
    }

    private static string Expected(OpcodeInfo info) => info.Operands.Count switch
    {
        0 => "no operands",
        _ => $"{Plural(info.Operands.Count, "operand")} ({info.Format})",
    };

    private static string Plural(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";

    /// <summary>Per-instruction state for operand checks; a ref struct because it holds the line text.</summary>
    private readonly ref struct Context(
        OpcodeInfo info, SymbolTable symbols, ReadOnlySpan<char> lineText, int line, ErrorSink errors, LabelUseErrors? labelErrors)
    {
        private readonly ReadOnlySpan<char> _lineText = lineText;

        public void Fail(AssemblyErrorKind kind, Token at, string message)
            => errors.Add(kind, line, at.Column, at.Length, message, _lineText);

        /// <summary>The field value for operand <paramref name="index"/> (1-based), or false after reporting why not.</summary>
        public bool TryValue(OperandKind kind, Token token, int index, out int value)
        {
            value = 0;
            switch (kind)
            {
                case OperandKind.Register or OperandKind.FloatRegister:
                    if (token.Kind != TokenKind.Register) return WrongKind(token, index, "a register like $1");
                    if (token.Number > 31)
                    {
                        Fail(AssemblyErrorKind.InvalidRegister, token, $"there is no register {TextOf(token)}: registers are $0..$31");
                        return false;
                    }
                    value = (int)token.Number;
                    return true;
                case OperandKind.Count:
                    if (token.Kind != TokenKind.Integer) return WrongKind(token, index, "a shift count like #3");
                    return InRange(token, 1, 31, "a shift count", out value);
                case OperandKind.Imm32:
                    if (token.Kind == TokenKind.LabelReference) return TryLabel(token, out value);
                    if (token.Kind != TokenKind.Integer) return WrongKind(token, index, "an integer like #5 or a @label");
                    if (!InRange(token, int.MinValue, int.MaxValue, "LOAD's value (signed 32-bit)", out value)) return false;
                    value &= 0xFFFF;   // the 8-byte form is rewritten by the caller
                    return true;
                case OperandKind.Imm16:
                    if (token.Kind == TokenKind.LabelReference) return TryLabel(token, out value);
                    if (token.Kind != TokenKind.Integer) return WrongKind(token, index, "an integer like #5 or a @label");
                    if (!InRange(token, short.MinValue, ushort.MaxValue, "a 16-bit field", out value)) return false;
                    value &= 0xFFFF;
                    return true;
                case OperandKind.U16 or OperandKind.Address:
                    if (token.Kind == TokenKind.LabelReference) return TryLabel(token, out value);
                    if (token.Kind != TokenKind.Integer) return WrongKind(token, index, "a @label or an integer like #80");
                    return InRange(token, 0, ushort.MaxValue, "an unsigned 16-bit field", out value);
                case OperandKind.Literal16:
                    if (token.Kind != TokenKind.Integer) return WrongKind(token, index, "a literal count like #10 (no label)");
                    return InRange(token, 0, ushort.MaxValue, "an unsigned 16-bit field", out value);
                default: // Float16
                    if (token.Kind == TokenKind.Integer) return InRange(token, 0, ushort.MaxValue, "LOADF64's value", out value);
                    if (token.Kind != TokenKind.Float) return WrongKind(token, index, "a number like #2 or #2.0");
                    return TryIntegralFloat(token, out value);
            }
        }

        private bool TryIntegralFloat(Token token, out int value)
        {
            value = 0;
            double d = double.Parse(token.Text!, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            if (d != Math.Floor(d))
            {
                Fail(AssemblyErrorKind.InvalidOperands, token,
                    $"LOADF64 can only load whole numbers 0..65535; #{token.Text} has a fraction (compute it with DIVF64)");
                return false;
            }
            if (d < 0 || d > ushort.MaxValue)
            {
                Fail(AssemblyErrorKind.IntegerOutOfRange, token, $"#{token.Text} is outside LOADF64's range 0..65535");
                return false;
            }
            value = (int)d;
            return true;
        }

        private bool InRange(Token token, long min, long max, string field, out int value)
        {
            value = 0;
            if (token.Number < min || token.Number > max)
            {
                Fail(AssemblyErrorKind.IntegerOutOfRange, token, $"{TextOf(token)} is outside {field}: allowed {min}..{max}");
                return false;
            }
            value = (int)token.Number;
            return true;
        }

        private bool TryLabel(Token token, out int value)
        {
            value = 0;
            if (!symbols.TryGet(token.Text!, out var symbol))
            {
                return FailLabel(AssemblyErrorKind.UndefinedSymbol, token, $"label '{token.Text}' is not defined");
            }
            if (symbol.Value > ushort.MaxValue)
            {
                return FailLabel(AssemblyErrorKind.AddressOutOfRange, token,
                    $"label '{token.Text}' is at {symbol.Value}, beyond what a 16-bit field can hold (65535)");
            }
            value = symbol.Value;
            return true;
        }

        private bool FailLabel(AssemblyErrorKind kind, Token token, string message)
        {
            if (labelErrors is null) Fail(kind, token, message);
            else labelErrors.Add(kind, token.Text!, line, token, message, _lineText);
            return false;
        }

        private bool WrongKind(Token token, int index, string expected)
        {
            string hint = token.Kind switch
            {
                TokenKind.Float => "; float literals are only accepted by LOADF64",
                TokenKind.String => "; strings belong in .asciiz",
                _ => "",
            };
            Fail(AssemblyErrorKind.InvalidOperands, token,
                $"operand {index} of {info.Mnemonic} ({info.Format}) must be {expected}, not {token.Describe()}{hint}");
            return false;
        }

        /// <summary>The token as written, shortened when a number has thousands of digits.</summary>
        private string TextOf(Token token)
        {
            var text = _lineText.Slice(token.Column - 1, token.Length);
            return text.Length <= 40 ? text.ToString() : $"{text[..20]}...({text.Length} characters)";
        }
    }
}
