using System.Text;
using Iridium.Assembler.Disassembly;
using Iridium.Vm;

namespace Iridium.Assembler;

/// <summary>
/// Listing options. <see cref="ShowAddresses"/> adds each line's address and raw bytes as a
/// comment. <see cref="Symbols"/> are the program's own labels, when its source is known: the
/// listing then names addresses and ro entries as the source did, where they fit (a code label on
/// an instruction boundary, a data label on the start of a recovered ro entry).
/// </summary>
public sealed record DisassemblyOptions(bool ShowAddresses = false, SymbolTable? Symbols = null);

/// <summary>The image is not a valid program image (docs/reference/image-format.md): too short, bad magic, or ro length past the end.</summary>
public sealed class InvalidImageException(string message) : FormatException(message);

/// <summary>
/// Turns a program image back into assembly source that <see cref="Assembler.Assemble"/> turns into
/// the identical image. Instructions that the assembler would encode differently, ro bytes that are
/// not strings or integers, and nonzero reserved header bytes are written with the extension
/// directives <c>.bytes</c> and <c>.header</c> (src/Iridium.Assembler/README.md). Labels are the
/// program's own (<see cref="DisassemblyOptions.Symbols"/>) where known; otherwise jump targets on
/// instruction boundaries get <c>L&lt;address&gt;</c> and ro entries <c>str&lt;offset&gt;</c>,
/// <c>int&lt;offset&gt;</c> or (for raw bytes PRTS points at) <c>data&lt;offset&gt;</c>, made unique
/// against the program's names. Labels do not change bytes, so either way the listing reassembles
/// to the identical image.
/// </summary>
public static class Disassembler
{
    private const int CommentColumn = 32;

    /// <summary>Lists an image.</summary>
    /// <exception cref="InvalidImageException">The bytes are not a valid image; the message says why.</exception>
    public static string Disassemble(ReadOnlySpan<byte> image, DisassemblyOptions? options = null)
    {
        options ??= new DisassemblyOptions();
        if (!ProgramImage.TryRead(image, out var layout, out var error)) throw new InvalidImageException(error!);

        var ro = image.Slice(ProgramImage.RoDataOffset, layout.RoLength);
        var code = image[layout.CodeStart..];
        int wordCount = code.Length / 4;
        var (targets, stringStarts, addressLoads) = CollectTargets(code, wordCount, layout);
        var names = new ProgramLabels(options.Symbols, layout.CodeStart, layout.CodeStart + 4 * wordCount);
        var roEntries = RoDataDecoder.Decode(ro, stringStarts).Select(e => e with { Label = names.ForData(e.Offset, e.Label) }).ToList();
        var dataLabels = roEntries.Where(e => e.Label is not null).ToDictionary(e => e.Offset, e => e.Label!);
        var codeLabels = names.ForCode(targets);

        var output = new Listing(options.ShowAddresses);
        output.Comment($"iridium disassembly: {image.Length} bytes, {layout.RoLength} ro bytes, " +
                       $"{wordCount} instruction words from address {layout.CodeStart}");
        WriteHeader(image, output);

        output.Line(".data");
        foreach (var entry in roEntries)
        {
            string text = RoDataDecoder.Render(entry, ro);
            string line = entry.Label is null ? text : $"{entry.Label}: {text}";
            int address = ProgramImage.RoDataOffset + entry.Offset;
            output.Line(line, output.ShowAddresses ? $"ro {entry.Offset} ({address}): {Hex(ro.Slice(entry.Offset, entry.Length))}" : null);
        }

        output.Line(".code");
        for (int k = 0; k < wordCount; k++)
        {
            int address = layout.CodeStart + 4 * k;
            foreach (var label in names.AllAt(address, codeLabels)) output.Line($"{label}:");
            var word = code.Slice(4 * k, 4);
            string? why = CodeWords.WhyNotCanonical(word);
            if (why is null)
                output.Line("    " + Instruction(word, addressLoads.Contains(k), codeLabels, dataLabels), output.ShowAddresses ? $"{address}: {Hex(word)}" : null);
            else
                output.Line("    " + RoDataDecoder.RawBytes(word), $"{address}: {why}", forceComment: true);
        }
        int tailStart = 4 * wordCount;
        if (tailStart < code.Length)
        {
            int address = layout.CodeStart + tailStart;
            foreach (var label in names.AllAt(address, codeLabels)) output.Line($"{label}:");
            output.Line("    " + RoDataDecoder.RawBytes(code[tailStart..]),
                $"{address}: incomplete instruction ({code.Length - tailStart} bytes; faults TRUNCATED when reached)", forceComment: true);
        }
        else
        {
            foreach (var label in names.AllAt(layout.CodeStart + tailStart, codeLabels)) output.Line($"{label}:");
        }
        return output.ToString();
    }

    /// <summary>
    /// Addresses that need a label: jump targets (ADDR operands of canonical words that land on an
    /// instruction boundary or the end of the code, and <c>load $r #n</c> directly followed by
    /// <c>jmp $r</c> or <c>jmpe $r</c>), and PRTS offsets inside the ro section.
    /// </summary>
    private static (HashSet<int> Targets, HashSet<int> StringStarts, HashSet<int> AddressLoads) CollectTargets(
        ReadOnlySpan<byte> code, int wordCount, ImageLayout layout)
    {
        var targets = new HashSet<int>();
        var strings = new HashSet<int>();
        var addressLoads = new HashSet<int>();
        int lastBoundary = layout.CodeStart + 4 * wordCount;
        bool IsBoundary(int target) => target >= layout.CodeStart && target <= lastBoundary && (target - layout.CodeStart) % 4 == 0;
        for (int k = 0; k < wordCount; k++)
        {
            var word = code.Slice(4 * k, 4);
            if (CodeWords.WhyNotCanonical(word) is not null) continue;
            if (CodeWords.TryGetField(word, OperandKind.Address, out int target) && IsBoundary(target))
            {
                targets.Add(target);
            }
            if (word[0] == (byte)Opcode.LOAD && k + 1 < wordCount && IsRegisterJump(code.Slice(4 * k + 4, 4), word[1])
                && CodeWords.TryGetField(word, OperandKind.Imm32, out target) && IsBoundary(target))
            {
                targets.Add(target);
                addressLoads.Add(k);
            }
            if (word[0] == (byte)Opcode.PRTS && CodeWords.TryGetField(word, OperandKind.U16, out int offset) && offset < layout.RoLength)
            {
                strings.Add(offset);
            }
        }
        return (targets, strings, addressLoads);
    }

    private static bool IsRegisterJump(ReadOnlySpan<byte> word, byte register)
        => word[0] is (byte)Opcode.JMP or (byte)Opcode.JMPE && word[1] == register && CodeWords.WhyNotCanonical(word) is null;

    /// <summary>A canonical word as text, with labels for jump targets and PRTS strings.</summary>
    private static string Instruction(
        ReadOnlySpan<byte> word, bool loadsAddress, Dictionary<int, string> codeLabels, Dictionary<int, string> dataLabels)
    {
        if (loadsAddress) return $"load ${word[1]} @{codeLabels[(word[2] << 8) | word[3]]}";
        if (word[0] == (byte)Opcode.PRTS)
        {
            int offset = (word[1] << 8) | word[2];
            if (dataLabels.TryGetValue(offset, out var name)) return $"prts @{name}";
        }
        string text = InstructionFormatter.Format(word, target => codeLabels.GetValueOrDefault(target));
        int space = text.IndexOf(' ');
        return space < 0 ? text.ToLowerInvariant() : text[..space].ToLowerInvariant() + text[space..];
    }

    /// <summary>Reserved header bytes 4..63 are ignored by the VM, but a lossless listing keeps them.</summary>
    private static void WriteHeader(ReadOnlySpan<byte> image, Listing output)
    {
        var reserved = image[ProgramImage.Magic.Length..ProgramImage.HeaderLength];
        int last = reserved.LastIndexOfAnyExcept((byte)0);
        if (last < 0) return;
        output.Line(".header" + RoDataDecoder.RawBytes(reserved[..(last + 1)])[".bytes".Length..],
            "nonzero reserved header bytes 4..63", forceComment: true);
    }

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        const int shown = 8;
        var text = Convert.ToHexString(bytes[..Math.Min(shown, bytes.Length)]);
        var sb = new StringBuilder();
        for (int i = 0; i < text.Length; i += 2) sb.Append(i == 0 ? "" : " ").Append(text, i, 2);
        if (bytes.Length > shown) sb.Append(" ...");
        return sb.ToString();
    }

    /// <summary>Collects listing lines; address comments only with --addresses, explanations always.</summary>
    private sealed class Listing(bool showAddresses)
    {
        public bool ShowAddresses => showAddresses;

        private readonly StringBuilder _text = new();

        public void Comment(string text) => _text.Append("; ").Append(text).Append('\n');

        public void Line(string text, string? comment = null, bool forceComment = false)
        {
            _text.Append(text);
            if (comment is not null && (showAddresses || forceComment))
            {
                _text.Append(' ', Math.Max(1, CommentColumn - text.Length)).Append("; ").Append(comment);
            }
            _text.Append('\n');
        }

        public override string ToString() => _text.ToString();
    }
}
