using System.Collections.Generic;
using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Opcodes.Model;
using static Iridium.Generators.Opcodes.OpcodeEmitter;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// InstructionDecoder.g.cs: the dispatch indexes of the pseudo-ops, the operand decoder of each
    /// opcode, and the table of superinstructions the decoder fuses.
    /// </summary>
    internal static class DecoderEmitter
    {
        public static string Emit(InstructionSetModel set)
        {
            var w = Start(set);
            w.Open("internal static partial class InstructionDecoder");
            w.Line("/// <summary>Dispatch index of the end-of-program sentinel.</summary>");
            w.Line($"public const byte EndIndex = {N(set.EndIndex)};");
            w.Line("/// <summary>Dispatch index of the pseudo-op for 1-3 trailing bytes (fault TRUNCATED).</summary>");
            w.Line($"public const byte TruncatedIndex = {N(set.TruncatedIndex)};");
            w.Line("/// <summary>Dispatch index of the pseudo-op for a register operand above 31 (fault REGISTER).</summary>");
            w.Line($"public const byte BadRegisterIndex = {N(set.BadRegisterIndex)};");
            w.Line("/// <summary>Dispatch index of the slots that illegal ADDR targets point to (fault JUMP at the slot in Imm).</summary>");
            w.Line($"public const byte JumpFaultIndex = {N(set.JumpFaultIndex)};");
            w.Line("/// <summary>Dispatch index of the pseudo-op an always-jumping instruction (CALL) with an illegal ADDR target decodes to: fault JUMP, a step like the instruction.</summary>");
            w.Line($"public const byte TargetFaultIndex = {N(set.TargetFaultIndex)};");
            w.Line("/// <summary>Number of dispatch indexes: opcodes, pseudo-ops, superinstructions and their loop variants.</summary>");
            w.Line($"public const int DispatchCount = {N(set.DispatchCount)};");
            w.Line("/// <summary>The first loop variant's dispatch index: they are the last ones.</summary>");
            w.Line($"public const int FirstLoopIndex = {N(set.FirstSuperinstructionIndex + set.Superinstructions.Count)};");
            w.Line();
            EmitSuperinstructions(w, set);
            w.Line();
            EmitLoopVariants(w, set);
            w.Line();
            var addressed = Enumerable.Range(0, set.Opcodes.Count).Where(i => set.Opcodes[i].HasAddressOperand).Select(N).ToList();
            w.Line("/// <summary>Whether the opcode at this dispatch index has an ADDR operand (decoded into Imm).</summary>");
            w.Line(addressed.Count == 0
                ? "private static bool HasAddressOperand(byte op) => false;"
                : $"private static bool HasAddressOperand(byte op) => op is {string.Join(" or ", addressed)};");
            var alwaysJumping = Enumerable.Range(0, set.Opcodes.Count).Where(i => set.Opcodes[i].AlwaysJumpsToAddress).Select(N).ToList();
            w.Line("/// <summary>Whether the opcode at this dispatch index always jumps to its ADDR operand (with an illegal one it decodes to the target-fault pseudo-op).</summary>");
            w.Line(alwaysJumping.Count == 0
                ? "private static bool AlwaysJumpsToAddress(byte op) => false;"
                : $"private static bool AlwaysJumpsToAddress(byte op) => op is {string.Join(" or ", alwaysJumping)};");
            w.Line();
            w.Line("/// <summary>Decodes the instruction bytes <c>op b1 b2 b3</c> (operands per the opcode's format).</summary>");
            w.Open("public static Instruction DecodeOne(byte op, byte b1, byte b2, byte b3, int codeStart, int codeCount)");
            w.Open("switch (op)");
            for (int index = 0; index < set.Opcodes.Count; index++)
            {
                var op = set.Opcodes[index];
                w.Line($"case {N(op.Number)}: // {Title(op)}");
                w.Indent++;
                EmitDecodeCase(w, op, index);
                w.Indent--;
            }
            var catchAll = set.Opcodes.First(o => o.CatchesUnknownBytes);
            w.Line("default:");
            w.Line($"    return new Instruction({N(set.Opcodes.ToList().IndexOf(catchAll))}, 0, 0, 0, 0);");
            w.Close();
            w.Close();
            w.Close();
            return w.ToString();
        }

        /// <summary>Longest first, so the first that matches at a slot is the longest.</summary>
        private static void EmitSuperinstructions(SourceWriter w, InstructionSetModel set)
        {
            w.Line("/// <summary>");
            w.Line("/// The declared superinstructions, longest first: each row is the superinstruction's dispatch");
            w.Line("/// index followed by the dispatch indexes of its parts.");
            w.Line("/// </summary>");
            w.Open("private static readonly byte[][] s_superinstructions =");
            foreach (var s in set.Superinstructions.OrderByDescending(s => s.Parts.Count))
            {
                var row = new[] { s.DispatchIndex }.Concat(s.Parts).Select(N);
                w.Line($"new byte[] {{ {string.Join(", ", row)} }}, // {string.Join(" + ", s.Parts.Select(p => set.Opcodes[p].Mnemonic))}");
            }
            w.Close(";");
        }

        private static void EmitLoopVariants(SourceWriter w, InstructionSetModel set)
        {
            w.Line("/// <summary>");
            w.Line("/// The loop variant of a superinstruction, decoded where its last part branches to its own");
            w.Line("/// first slot, or 0 when it has none.");
            w.Line("/// </summary>");
            var loops = set.Superinstructions.Where(s => s.HasLoop).ToList();
            if (loops.Count == 0)
            {
                w.Line("private static byte LoopVariant(byte superinstruction) => 0;");
                return;
            }
            w.Open("private static byte LoopVariant(byte superinstruction) => superinstruction switch");
            foreach (var s in loops)
            {
                w.Line($"{N(s.DispatchIndex)} => {N(s.LoopIndex)}, // {string.Join(" + ", s.Parts.Select(p => set.Opcodes[p].Mnemonic))}");
            }
            w.Line("_ => 0,");
            w.Close(";");
        }

        private static void EmitDecodeCase(SourceWriter w, OpcodeModel op, int index)
        {
            var bytes = new[] { "b1", "b2", "b3" };
            var small = new List<string>();
            var registers = new List<string>();
            string imm = "0";
            int position = 0;
            foreach (var operand in op.Operands)
            {
                if (operand.Width == 1)
                {
                    small.Add(bytes[position]);
                    if (operand.IsRegister) registers.Add(bytes[position]);
                }
                else
                {
                    string value = $"({bytes[position]} << 8 | {bytes[position + 1]})";
                    imm = operand.IsAddress ? $"Cpu.TargetIndex({value}, codeStart, codeCount)" : value;
                }
                position += operand.Width;
            }
            if (registers.Count > 0)
            {
                w.Line($"if (({string.Join(" | ", registers)}) > 31) return new Instruction(BadRegisterIndex, 0, 0, 0, 0);");
            }
            while (small.Count < 3) small.Add("0");
            w.Line($"return new Instruction({N(index)}, {small[0]}, {small[1]}, {small[2]}, {imm});");
        }
    }
}
