using Iridium.Vm;

namespace Iridium.Assembler.Disassembly;

/// <summary>
/// Decides whether a 4-byte code word is "canonical": exactly what the assembler emits for the
/// text <see cref="InstructionFormatter"/> renders. Anything else (an undefined opcode byte, a
/// register above 31, a shift count above 31, nonzero unused bytes) must be listed as raw
/// <c>.bytes</c> so that the listing reassembles to the identical image.
/// </summary>
internal static class CodeWords
{
    /// <summary>Null when the word is canonical, else why it is not (for the listing's comment).</summary>
    public static string? WhyNotCanonical(ReadOnlySpan<byte> word)
    {
        if (OpcodeTable.Find(word[0]) is not { } info)
            return $"undefined opcode byte {word[0]} (runs as IGL)";
        int position = 1;
        foreach (var kind in info.Operands)
        {
            if (kind.IsRegister() && word[position] > 31)
                return $"register {word[position]} does not exist (faults when run)";
            if (kind == OperandKind.Count && word[position] > 31)
                return $"shift count byte {word[position]} cannot be written as #1..#31";
            position += kind.Width();
        }
        for (; position < 4; position++)
        {
            if (word[position] != 0) return $"{info.Mnemonic} with nonzero unused byte {position} (ignored when run)";
        }
        return null;
    }

    /// <summary>The 16-bit field of an ADDR or U16 operand of a canonical word, if it has one.</summary>
    public static bool TryGetField(ReadOnlySpan<byte> word, OperandKind wanted, out int value)
    {
        value = 0;
        if (OpcodeTable.Find(word[0]) is not { } info) return false;
        int position = 1;
        foreach (var kind in info.Operands)
        {
            if (kind == wanted)
            {
                value = (word[position] << 8) | word[position + 1];
                return true;
            }
            position += kind.Width();
        }
        return false;
    }
}
