using Iridium.Assembler.Assembly;
using Iridium.Assembler.Diagnostics;
using Iridium.Assembler.Syntax;

namespace Iridium.Assembler;

/// <summary>The bytes of one typed line (4, or 8 for an expanded LOAD; empty for a blank line or on errors).</summary>
public sealed record LineAssemblyResult(byte[] Code, IReadOnlyList<AssemblyError> Errors, IReadOnlyList<string> Warnings)
{
    public bool Success => Errors.Count == 0;
}

/// <summary>
/// The REPL's line assembly (docs/reference/assembly.md, "Lines typed at the REPL"): the line grammar with no
/// section rules. Labels resolve against the symbol table of the last loaded program; a label
/// declaration is ignored with a warning; directives are rejected.
/// </summary>
public static class LineAssembler
{
    public const string FileName = "<input>";

    /// <param name="lineNumber">Where errors say the line is: 1 for a typed line, its line in a piped script.</param>
    public static LineAssemblyResult Assemble(string line, SymbolTable? symbols, int lineNumber = 1)
    {
        ArgumentNullException.ThrowIfNull(line);
        var errors = new ErrorSink(FileName);
        var warnings = new List<string>();
        var text = line.AsSpan().TrimEnd("\r\n");
        if (text.ContainsAny('\r', '\n'))
        {
            int at = text.IndexOfAny('\r', '\n');
            errors.Add(AssemblyErrorKind.ParseError, lineNumber, at + 1, 1, "type one line at a time", text[..at]);
            return new LineAssemblyResult([], errors.Errors, warnings);
        }

        var parsed = new ParsedSource(new SourceText(text.ToString(), FileName));
        Parser.ParseLine(text, lineNumber, new List<Token>(8), errors, parsed);
        var code = Array.Empty<byte>();
        foreach (var item in parsed.Items)
        {
            switch (item.Kind)
            {
                case ItemKind.Label:
                    warnings.Add($"label '{item.Head.Text}' ignored: labels are only defined by loading a program");
                    break;
                case ItemKind.Section or ItemKind.Data:
                    errors.Add(AssemblyErrorKind.ParseError, lineNumber, item.Head.Column, item.Head.Length,
                        $".{item.Head.Text} cannot be typed at the prompt; directives and sections belong in a program file (!load_file)", text);
                    break;
                case ItemKind.Instruction:
                    var buffer = new byte[InstructionEncoder.MaxInstructionBytes];
                    int written = InstructionEncoder.Encode(item.Opcode!, item.Head, parsed.OperandsOf(item),
                        symbols ?? SymbolTable.Empty, text, lineNumber, errors, buffer);
                    code = buffer[..written];
                    break;
            }
        }
        return new LineAssemblyResult(errors.Count == 0 ? code : [], errors.Errors, warnings);
    }
}
