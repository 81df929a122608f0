namespace Iridium.Vm;

/// <summary>
/// Turns program bytes into the pre-decoded instruction stream the dispatch loop runs. The
/// per-opcode operand decoding (<c>DecodeOne</c>), the pseudo-op indexes and the superinstruction
/// table are generated from the opcode definitions and the [Superinstruction] declarations.
/// </summary>
internal static partial class InstructionDecoder
{
    /// <summary>Number of whole instructions in the code: the end sentinel's index.</summary>
    public static int CodeSlots(int programLength, int codeStart) => Math.Max(0, programLength - codeStart) / 4;

    /// <summary>
    /// Decodes every whole instruction from <paramref name="codeStart"/> on, plus one sentinel
    /// slot: the end of the program, or a TRUNCATED fault when 1–3 bytes are left over. Jump
    /// targets can reach the sentinel (a jump to the program's end) but never go past it, so
    /// the dispatch loop needs no bounds check. After the sentinel, one jump-fault slot for each
    /// instruction whose ADDR operand is not a legal target: the operand points there, so a
    /// taken jump needs no test; landing on it faults JUMP at that instruction. An instruction that
    /// always jumps (CALL, which must fault before it pushes anything) decodes with an illegal
    /// target to the target-fault pseudo-op instead.
    /// </summary>
    /// <param name="fuse">Mark the slots that start a superinstruction (the fast interpreter); false for the reference interpreter.</param>
    public static Instruction[] DecodeProgram(ReadOnlySpan<byte> program, int codeStart, bool fuse = true)
    {
        int count = CodeSlots(program.Length, codeStart);
        var decoded = new List<Instruction>(count + 1);
        var jumpFaults = new List<Instruction>();
        for (int i = 0; i < count; i++)
        {
            var at = program.Slice(codeStart + i * 4, 4);
            var instruction = DecodeOne(at[0], at[1], at[2], at[3], codeStart, count);
            if (instruction.Imm < 0 && AlwaysJumpsToAddress(instruction.Op))
            {
                // A CALL faults before it pushes its frame: as a pseudo-op of its own, CALL never tests its target.
                instruction = new Instruction(TargetFaultIndex, 0, 0, 0, 0);
            }
            else if (instruction.Imm < 0 && HasAddressOperand(instruction.Op))
            {
                instruction = new Instruction(instruction.Op, instruction.A, instruction.B, instruction.C, count + 1 + jumpFaults.Count);
                jumpFaults.Add(new Instruction(JumpFaultIndex, 0, 0, 0, i));
            }
            decoded.Add(instruction);
        }
        int tail = Math.Max(0, program.Length - codeStart) % 4;
        decoded.Add(new Instruction(tail == 0 ? EndIndex : TruncatedIndex, 0, 0, 0, 0));
        decoded.AddRange(jumpFaults);
        var slots = decoded.ToArray();
        if (fuse) Fuse(slots, count + 1);
        return slots;
    }

    /// <summary>
    /// Gives each slot that starts a declared superinstruction the superinstruction's dispatch
    /// index (the longest that matches), or its loop variant's when the last part branches back to
    /// this slot. Only the first slot changes: its operands stay, and the slots after it keep their
    /// own instructions, so a jump into the middle runs as before. Matching reads the original
    /// indexes of the following slots, never fused ones.
    /// </summary>
    private static void Fuse(Instruction[] slots, int length)
    {
        var original = new byte[length];
        for (int i = 0; i < length; i++) original[i] = slots[i].Op;
        for (int i = 0; i < length; i++)
        {
            foreach (byte[] row in s_superinstructions)
            {
                if (!Matches(original, i, row)) continue;
                var first = slots[i];
                byte index = row[0];
                byte loop = LoopVariant(index);
                if (loop != 0 && slots[i + row.Length - 2].Imm == i) index = loop;
                slots[i] = new Instruction(index, first.A, first.B, first.C, first.Imm);
                break;
            }
        }
    }

    /// <summary>The declared superinstructions as opcode sequences, longest first (for tests that build programs using them).</summary>
    internal static IEnumerable<Opcode[]> SuperinstructionSequences
        => s_superinstructions.Select(row => row.Skip(1).Select(index => OpcodeTable.All[index].Opcode).ToArray());

    /// <summary>The sequences that have a loop variant (for tests).</summary>
    internal static IEnumerable<Opcode[]> LoopingSequences
        => s_superinstructions.Where(row => LoopVariant(row[0]) != 0).Select(row => row.Skip(1).Select(index => OpcodeTable.All[index].Opcode).ToArray());

    private static bool Matches(byte[] original, int at, byte[] row)
    {
        int parts = row.Length - 1;
        if (at + parts > original.Length) return false;
        for (int p = 0; p < parts; p++)
        {
            if (original[at + p] != row[p + 1]) return false;
        }
        return true;
    }
}
