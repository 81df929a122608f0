using Iridium.Assembler.Diagnostics;
using Iridium.Assembler.Syntax;
using Iridium.Vm;

namespace Iridium.Assembler.Assembly;

/// <summary>One piece of the code section, in order: an instruction to encode in pass 2, or raw <c>.bytes</c>.</summary>
internal readonly record struct CodePiece(int ItemIndex, int Size, byte[]? Raw);

/// <summary>What pass 1 produces: symbols with final values, the ro bytes, the code plan, header bytes.</summary>
internal sealed class LayoutResult
{
    public SymbolTable Symbols { get; } = new();
    public MemoryStream RoData { get; } = new();
    public List<CodePiece> Code { get; } = [];
    public long CodeLength { get; set; }
    public byte[]? HeaderBytes { get; set; }
}

/// <summary>
/// Pass 1 (docs/reference/assembly.md): section bookkeeping, label binding, ro bytes and
/// instruction sizes. Code labels are relative while laying out; they become absolute
/// (68 + ro length + offset) once the ro length is known.
/// Section headers are optional: a file starts in the code section, so a program without
/// headers (the original project's own examples have none) is all code; <c>.data</c> switches
/// to the ro section and <c>.code</c> back, each at most once. One missing header is one
/// error: a run of misplaced lines in one section is reported once, at its first line.
/// </summary>
internal sealed class Layout
{
    /// <summary>Images are capped well below 2 GiB so offsets never overflow, whatever the input.</summary>
    public const long MaxImageBytes = 1L << 30;

    private enum Section { Data, Code }

    private readonly ParsedSource _parsed;
    private readonly ErrorSink _errors;
    private readonly LayoutResult _result = new();
    private readonly List<Item> _pendingLabels = [];
    private readonly List<(Item Label, long Value, SymbolKind Kind)> _bound = [];
    private readonly Dictionary<string, int> _declaredOnLine = new(StringComparer.Ordinal);
    private Section _current = Section.Code;
    private Item? _firstMisplaced;
    private int _misplacedCount;
    private int _lastMisplacedLine;
    private bool _reportedTooBig;
    private int _dataHeaderLine;
    private int _codeHeaderLine;
    private int _headerDirectiveLine;

    private Layout(ParsedSource parsed, ErrorSink errors)
    {
        _parsed = parsed;
        _errors = errors;
    }

    public static LayoutResult Run(ParsedSource parsed, ErrorSink errors) => new Layout(parsed, errors).Run();

    private LayoutResult Run()
    {
        var items = _parsed.Items;
        for (int index = 0; index < items.Count && !_errors.IsFull; index++)
        {
            var item = items[index];
            switch (item.Kind)
            {
                case ItemKind.Label: DeclareLabel(item); break;
                case ItemKind.Section: EnterSection(item); break;
                case ItemKind.Data: PlaceData(item); break;
                case ItemKind.Instruction: PlaceInstruction(index, item); break;
            }
        }
        BindPendingToSectionEnd();
        ReportMisplaced();
        DefineSymbols();
        return _result;
    }

    private void DeclareLabel(in Item item) => _pendingLabels.Add(item);

    private void EnterSection(in Item item)
    {
        BindPendingToSectionEnd();
        ReportMisplaced();
        ref int seenOn = ref item.Directive == Directive.Data ? ref _dataHeaderLine : ref _codeHeaderLine;
        if (seenOn != 0)
        {
            Fail(AssemblyErrorKind.DuplicateSection, item.Line, item.Head,
                $".{item.Head.Text} appears a second time (first on line {seenOn}); each section header appears once");
        }
        else
        {
            seenOn = item.Line;
        }
        _current = item.Directive == Directive.Data ? Section.Data : Section.Code;
    }

    private void PlaceData(in Item item)
    {
        var operands = _parsed.OperandsOf(item);
        var lineText = _parsed.Source.Line(item.Line);
        if (item.Directive == Directive.Header)
        {
            PlaceHeaderBytes(item, operands, lineText);
            return;
        }
        if (_current == Section.Code && item.Directive != Directive.Bytes)
        {
            Misplaced(item);
            return;
        }
        if (item.Directive is Directive.Asciiz or Directive.Integer && _pendingLabels.Count == 0)
        {
            Fail(AssemblyErrorKind.StringConstantDeclaredWithoutLabel, item.Line, item.Head,
                $".{item.Head.Text} needs a label so it can be used, like 'msg: .{item.Head.Text} ...'");
            return;
        }
        var bytes = DataDirectives.Bytes(item.Directive, item.Head, operands, lineText, item.Line, _errors);
        if (bytes is null) return;
        if (!Fits(bytes.Length, item)) return;

        if (_current == Section.Data)
        {
            BindPending(_result.RoData.Length, SymbolKind.Data);
            _result.RoData.Write(bytes);
        }
        else
        {
            BindPending(_result.CodeLength, SymbolKind.Code);
            _result.Code.Add(new CodePiece(-1, bytes.Length, bytes));
            _result.CodeLength += bytes.Length;
        }
    }

    private void PlaceHeaderBytes(in Item item, ReadOnlySpan<Token> operands, ReadOnlySpan<char> lineText)
    {
        if (_headerDirectiveLine != 0)
        {
            Fail(AssemblyErrorKind.DuplicateSection, item.Line, item.Head,
                $".header appears a second time (first on line {_headerDirectiveLine})");
            return;
        }
        _headerDirectiveLine = item.Line;
        _result.HeaderBytes = DataDirectives.Bytes(Directive.Header, item.Head, operands, lineText, item.Line, _errors);
    }

    private void PlaceInstruction(int index, in Item item)
    {
        if (_current != Section.Code)
        {
            Misplaced(item);
            return;
        }
        int size = InstructionEncoder.SizeOf(item.Opcode!, _parsed.OperandsOf(item));
        if (!Fits(size, item)) return;
        BindPending(_result.CodeLength, SymbolKind.Code);
        _result.Code.Add(new CodePiece(index, size, null));
        _result.CodeLength += size;
    }

    private bool Fits(int size, in Item item)
    {
        if (ProgramImage.RoDataOffset + _result.RoData.Length + _result.CodeLength + size <= MaxImageBytes) return true;
        // Every later line would be past the cap as well: one error for the one cause.
        if (_reportedTooBig) return false;
        _reportedTooBig = true;
        Fail(AssemblyErrorKind.AddressOutOfRange, item.Line, item.Head, $"the image would grow past {MaxImageBytes} bytes");
        return false;
    }

    private void BindPendingToSectionEnd()
    {
        if (_current == Section.Data) BindPending(_result.RoData.Length, SymbolKind.Data);
        else if (_current == Section.Code) BindPending(_result.CodeLength, SymbolKind.Code);
    }

    private void BindPending(long value, SymbolKind kind)
    {
        foreach (var label in _pendingLabels)
        {
            string name = label.Head.Text!;
            if (_declaredOnLine.TryGetValue(name, out int firstLine))
            {
                Fail(AssemblyErrorKind.SymbolAlreadyDeclared, label.Line, label.Head,
                    $"label '{name}' is already declared on line {firstLine}");
                continue;
            }
            _declaredOnLine.Add(name, label.Line);
            _bound.Add((label, value, kind));
        }
        _pendingLabels.Clear();
    }

    /// <summary>
    /// Notes a data directive in code or an instruction in data. Its labels stay pending and bind
    /// to the next item, so uses of them add no "undefined" errors.
    /// </summary>
    private void Misplaced(in Item item)
    {
        _firstMisplaced ??= item;
        _misplacedCount++;
        _lastMisplacedLine = item.Line;
    }

    /// <summary>The one error for the misplaced lines of the section that just ended: a header is missing before them.</summary>
    private void ReportMisplaced()
    {
        if (_firstMisplaced is not { } first) return;
        string more = _misplacedCount == 1 ? ""
            : $" ({_misplacedCount - 1} more line{(_misplacedCount == 2 ? "" : "s")} like it up to line {_lastMisplacedLine})";
        string message = first.Kind == ItemKind.Instruction
            ? $"instructions belong in the .code section, not in .data; put .code before this line{more}"
            : _dataHeaderLine == 0
                ? $".{first.Head.Text} belongs in the .data section, and a file starts in .code; put .data before this line{more}"
                : $".{first.Head.Text} belongs in the .data section, not in .code; put .data before this line{more}";
        Fail(AssemblyErrorKind.WrongSection, first.Line, first.Head, message);
        _firstMisplaced = null;
        _misplacedCount = 0;
    }

    /// <summary>Final values: data labels keep their ro offset, code labels become absolute addresses.</summary>
    private void DefineSymbols()
    {
        long codeStart = ProgramImage.RoDataOffset + _result.RoData.Length;
        foreach (var (label, value, kind) in _bound)
        {
            long final = kind == SymbolKind.Code ? codeStart + value : value;
            _result.Symbols.TryAdd(new Symbol(label.Head.Text!, (int)final, kind));
        }
    }

    private void Fail(AssemblyErrorKind kind, int line, Token at, string message)
        => _errors.Add(kind, line, at.Column, at.Length, message, _parsed.Source.Line(line));
}
