using Iridium.Assembler.Diagnostics;
using Iridium.Vm;

namespace Iridium.Assembler.Syntax;

/// <summary>
/// Turns lines into <see cref="Item"/>s following the line grammar (docs/reference/assembly.md, "Lines"):
/// <c>ws* [label ws*] [statement] ws* [comment]</c>, one statement per line. Each line reports at
/// most one syntax error. A label that lexed cleanly is kept even when the rest of its line is
/// wrong, so one mistake does not also produce "undefined symbol" errors wherever the label is used.
/// </summary>
internal static class Parser
{
    public static ParsedSource Parse(SourceText source, ErrorSink errors)
    {
        var parsed = new ParsedSource(source);
        var scratch = new List<Token>(8);
        for (int line = 1; line <= source.LineCount && !errors.IsFull; line++)
        {
            ParseLine(source.Line(line), line, scratch, errors, parsed);
        }
        return parsed;
    }

    /// <summary>Parses one line, appending its items (at most a label and a statement) to <paramref name="into"/>.</summary>
    public static void ParseLine(ReadOnlySpan<char> text, int line, List<Token> scratch, ErrorSink errors, ParsedSource into)
    {
        scratch.Clear();
        var lexError = Lexer.Tokenize(text, scratch);
        int next = 0;
        Token? label = null;
        if (scratch.Count > 0 && scratch[0].Kind == TokenKind.LabelDeclaration)
        {
            label = scratch[0];
            next = 1;
        }

        void Fail(AssemblyErrorKind kind, int column, int length, string message, ReadOnlySpan<char> lineText)
            => errors.Add(kind, line, column, length, message, lineText);

        if (lexError is { } e)
        {
            if (label is { } l) into.Items.Add(new Item(ItemKind.Label, line, l));
            Fail(e.Kind, e.Column, e.Length, e.Message, text);
            return;
        }
        if (next >= scratch.Count)
        {
            if (label is { } l) into.Items.Add(new Item(ItemKind.Label, line, l));
            return;
        }

        var head = scratch[next];
        var operands = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch)[(next + 1)..];
        switch (head.Kind)
        {
            case TokenKind.Directive:
                ParseDirective(text, line, label, head, operands, errors, into);
                return;
            case TokenKind.Name:
            {
                if (label is { } l) into.Items.Add(new Item(ItemKind.Label, line, l));
                var mnemonic = text.Slice(head.Column - 1, head.Length);
                if (!char.IsAsciiLetter(mnemonic[0]) || mnemonic.Contains('_'))
                {
                    Fail(AssemblyErrorKind.ParseError, head.Column, head.Length,
                        $"'{mnemonic}' is not a mnemonic (a label declaration needs a ':')", text);
                    return;
                }
                if (!OpcodeTable.TryGet(mnemonic, out var info))
                {
                    Fail(AssemblyErrorKind.UnknownOpcode, head.Column, head.Length, $"unknown mnemonic '{mnemonic}'", text);
                    return;
                }
                if (!CheckOperandTokens(text, line, operands, errors)) return;
                into.Items.Add(new Item(ItemKind.Instruction, line, head, Opcode: info,
                    OperandStart: into.Operands.Count, OperandCount: operands.Length));
                into.Operands.AddRange(operands);
                return;
            }
            case TokenKind.LabelDeclaration:
                if (label is { } l2) into.Items.Add(new Item(ItemKind.Label, line, l2));
                Fail(AssemblyErrorKind.ParseError, head.Column, head.Length, "only one label may start a line", text);
                return;
            default:
                if (label is { } l3) into.Items.Add(new Item(ItemKind.Label, line, l3));
                Fail(AssemblyErrorKind.ParseError, head.Column, head.Length,
                    $"expected a mnemonic or a directive, found {head.Describe()}", text);
                return;
        }
    }

    private static void ParseDirective(
        ReadOnlySpan<char> text, int line, Token? label, Token head, ReadOnlySpan<Token> operands, ErrorSink errors, ParsedSource into)
    {
        var directive = head.Text switch
        {
            "data" => Directive.Data,
            "code" => Directive.Code,
            "asciiz" => Directive.Asciiz,
            "integer" => Directive.Integer,
            "bytes" => Directive.Bytes,
            "header" => Directive.Header,
            _ => Directive.None,
        };
        if (directive is Directive.Data or Directive.Code)
        {
            into.Items.Add(new Item(ItemKind.Section, line, head, directive));
            if (label is { } l)
            {
                errors.Add(AssemblyErrorKind.ParseError, line, l.Column, l.Length,
                    $"a label cannot share a line with .{head.Text}; put it on the next line", text);
                // Bind it after the header (where it was most likely meant), so uses of it do not cascade.
                into.Items.Add(new Item(ItemKind.Label, line, l));
            }
            else if (operands.Length > 0)
            {
                errors.Add(AssemblyErrorKind.ParseError, line, operands[0].Column, operands[0].Length,
                    $"a section header takes no operands", text);
            }
            return;
        }

        if (label is { } l2) into.Items.Add(new Item(ItemKind.Label, line, l2));
        if (directive == Directive.None)
        {
            errors.Add(AssemblyErrorKind.UnknownDirectiveFound, line, head.Column, head.Length,
                $"unknown directive '.{head.Text}' (known: .data .code .asciiz .integer, extensions .bytes .header)", text);
            return;
        }
        if (!CheckOperandTokens(text, line, operands, errors)) return;
        into.Items.Add(new Item(ItemKind.Data, line, head, directive,
            OperandStart: into.Operands.Count, OperandCount: operands.Length));
        into.Operands.AddRange(operands);
    }

    /// <summary>Operands are registers, numbers, label references or strings; anything else means a second statement.</summary>
    private static bool CheckOperandTokens(ReadOnlySpan<char> text, int line, ReadOnlySpan<Token> operands, ErrorSink errors)
    {
        foreach (var token in operands)
        {
            if (token.Kind is TokenKind.Name or TokenKind.Directive or TokenKind.LabelDeclaration)
            {
                errors.Add(AssemblyErrorKind.ParseError, line, token.Column, token.Length,
                    $"unexpected {token.Describe()} '{text.Slice(token.Column - 1, token.Length)}': one statement per line, " +
                    "and operands are $register, #number or @label", text);
                return false;
            }
        }
        return true;
    }
}
