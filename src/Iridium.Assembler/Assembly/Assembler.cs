using Iridium.Assembler.Assembly;
using Iridium.Assembler.Diagnostics;
using Iridium.Assembler.Syntax;
using Iridium.Vm;

namespace Iridium.Assembler;

/// <summary>
/// Assembles a whole source file into a program image (assembly.md §7.2): parse line by line,
/// pass 1 (layout and symbols), pass 2 (encoding), image (§8). Every call uses fresh state.
/// </summary>
public static class Assembler
{
    public static AssemblyResult Assemble(string source, string fileName = "<stdin>")
    {
        ArgumentNullException.ThrowIfNull(source);
        // A UTF-8 byte order mark read as text is not part of the program.
        if (source.StartsWith('\uFEFF')) source = source[1..];

        var errors = new ErrorSink(fileName);
        var text = new SourceText(source, fileName);
        var parsed = Parser.Parse(text, errors);
        var layout = Layout.Run(parsed, errors);

        // §7.2 stops after pass 1 errors; we run pass 2 anyway so one run reports everything. Labels
        // from lines with errors are still defined, so this adds no spurious UndefinedSymbol errors.
        var code = EncodeCode(parsed, layout, errors);

        byte[]? image = errors.Count == 0 && code is not null ? BuildImage(layout, code) : null;
        var sorted = errors.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToArray();
        return new AssemblyResult(image, sorted, layout.Symbols, errors.IsFull);
    }

    /// <summary>Pass 2: the code section, or null when any instruction failed.</summary>
    private static byte[]? EncodeCode(ParsedSource parsed, LayoutResult layout, ErrorSink errors)
    {
        var code = new byte[layout.CodeLength];
        int at = 0;
        bool ok = true;
        foreach (var piece in layout.Code)
        {
            if (errors.IsFull) return null;
            if (piece.Raw is { } raw)
            {
                raw.CopyTo(code, at);
            }
            else
            {
                var item = parsed.Items[piece.ItemIndex];
                int written = InstructionEncoder.Encode(item.Opcode!, item.Head, parsed.OperandsOf(item), layout.Symbols,
                    parsed.Source.Line(item.Line), item.Line, errors, code.AsSpan(at));
                ok &= written == piece.Size;
            }
            at += piece.Size;
        }
        return ok ? code : null;
    }

    private static byte[] BuildImage(LayoutResult layout, byte[] code)
    {
        var image = ProgramImage.Write(layout.RoData.GetBuffer().AsSpan(0, (int)layout.RoData.Length), code);
        layout.HeaderBytes?.CopyTo(image, ProgramImage.Magic.Length);
        return image;
    }
}
