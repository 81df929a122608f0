namespace Iridium.Vm;

/// <summary>
/// Turns program bytes into the pre-decoded instruction stream the dispatch loop runs. The
/// per-opcode operand decoding (<c>DecodeOne</c>) and the pseudo-op indexes are generated from
/// the opcode definitions.
/// </summary>
internal static partial class InstructionDecoder
{
    /// <summary>
    /// Decodes every whole instruction from <paramref name="codeStart"/> on, plus one sentinel
    /// slot: the end of the program, or a TRUNCATED fault when 1–3 bytes are left over. Jump
    /// targets can reach the sentinel (a jump to the program's end) but never go past it, so
    /// the dispatch loop needs no bounds check.
    /// </summary>
    public static Instruction[] DecodeProgram(ReadOnlySpan<byte> program, int codeStart)
    {
        int codeBytes = Math.Max(0, program.Length - codeStart);
        int count = codeBytes / 4;
        var decoded = new Instruction[count + 1];
        for (int i = 0; i < count; i++)
        {
            var at = program.Slice(codeStart + i * 4, 4);
            decoded[i] = DecodeOne(at[0], at[1], at[2], at[3], codeStart, count);
        }
        decoded[count] = new Instruction(codeBytes % 4 == 0 ? EndIndex : TruncatedIndex, 0, 0, 0, 0);
        return decoded;
    }
}
