using Iridium.Assembler.Assembly;
using Iridium.Assembler.Diagnostics;
using Iridium.Assembler.Syntax;
using Iridium.Vm;

namespace Iridium.Assembler;

/// <summary>
/// Assembles a whole source file into a program image (docs/reference/assembly.md): parse line by line,
/// pass 1 (layout and symbols), pass 2 (encoding), image. Every call uses fresh state.
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

        // Pass 2 runs even after pass 1 errors, so one run reports everything. Labels
        // from lines with errors are still defined, so this adds no spurious UndefinedSymbol errors.
        var code = EncodeCode(parsed, layout, errors);

        byte[]? image = errors.Count == 0 && code is not null ? BuildImage(layout, code) : null;
        return new AssemblyResult(image, ByPosition(errors.Errors), layout.Symbols, errors.IsFull);
    }

    /// <summary>
    /// The errors by line and column, in the order found where they share a position. Not LINQ's
    /// OrderBy().ThenBy(): ThenBy is a generic virtual method that NativeAOT resolves at run time,
    /// 0.1 M instructions on every assembly even when there is no error.
    /// </summary>
    private static AssemblyError[] ByPosition(IReadOnlyList<AssemblyError> errors)
    {
        var found = new (AssemblyError Error, int Order)[errors.Count];
        for (int i = 0; i < found.Length; i++) found[i] = (errors[i], i);
        Array.Sort(found, static (a, b) =>
            a.Error.Line != b.Error.Line ? a.Error.Line.CompareTo(b.Error.Line)
            : a.Error.Column != b.Error.Column ? a.Error.Column.CompareTo(b.Error.Column)
            : a.Order.CompareTo(b.Order));
        return Array.ConvertAll(found, f => f.Error);
    }

    /// <summary>Pass 2: the code section, or null when any instruction failed.</summary>
    private static byte[]? EncodeCode(ParsedSource parsed, LayoutResult layout, ErrorSink errors)
    {
        var code = new byte[layout.CodeLength];
        var labelErrors = new LabelUseErrors();
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
                    parsed.Source.Line(item.Line), item.Line, errors, code.AsSpan(at), labelErrors);
                ok &= written == piece.Size;
            }
            at += piece.Size;
        }
        labelErrors.ReportTo(errors);
        return ok ? code : null;
    }

    private static byte[] BuildImage(LayoutResult layout, byte[] code)
    {
        var image = ProgramImage.Write(layout.RoData.GetBuffer().AsSpan(0, (int)layout.RoData.Length), code);
        layout.HeaderBytes?.CopyTo(image, ProgramImage.Magic.Length);
        return image;
    }
}
