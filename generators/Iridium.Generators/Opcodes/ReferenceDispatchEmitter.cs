using Iridium.Generators.Common;
using Iridium.Generators.Opcodes.Model;
using static Iridium.Generators.Opcodes.OpcodeEmitter;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// Machine.ReferenceDispatch.g.cs: the plainest interpreter of the same decoded program. One
    /// switch in a loop that calls each handler method and acts on the value it returns, with no
    /// copied bodies and no superinstructions. Tests run programs through both interpreters and
    /// compare the final states, so a mistake in the body copying, the fusing or the dispatch
    /// shows up as a difference.
    /// </summary>
    internal static class ReferenceDispatchEmitter
    {
        public static string Emit(InstructionSetModel set)
        {
            var w = Start(set);
            w.Open("public sealed partial class Machine");
            w.Line("/// <summary>The reference interpreter: calls the handler methods one instruction at a time (see <see cref=\"Dispatch{TBudget}\"/>).</summary>");
            w.Open("private static unsafe ExecutionResult ReferenceDispatch<TBudget>(ref Cpu cpu, Instruction* code) where TBudget : struct, IStepBudget");
            w.Line("Instruction* ip = code + cpu.Pc;");
            w.Line("long steps = cpu.StepsLeft;");
            w.Line("int exitCode;");
            w.Open("while (true)");
            DispatchEmitter.EmitBudgetCheck(w);
            w.Open("switch (ip->Op)");
            for (int index = 0; index < set.Opcodes.Count; index++)
            {
                var op = set.Opcodes[index];
                string call = $"{op.HandlerType}.{op.HandlerMethod}(ref cpu, in *ip)";
                w.Line($"case {N(index)}: // {Title(op)}");
                w.Indent++;
                if (op.ReadsPc) w.Line("cpu.Pc = Cpu.SlotIndex(ip, code);");
                switch (op.Kind)
                {
                    case HandlerKind.Next:
                        w.Line($"{call};");
                        w.Line("ip++;");
                        w.Line("continue;");
                        break;
                    case HandlerKind.NextOrFault:
                        w.Line($"exitCode = (int){call};");
                        w.Line("if (exitCode != 0) goto Fault;");
                        w.Line("ip++;");
                        w.Line("continue;");
                        break;
                    case HandlerKind.Jump:
                        w.Line($"exitCode = {call}.Value;");
                        w.Line("if (exitCode >= 0) ip = code + exitCode;");
                        w.Line("else if (exitCode == Branch.NotTakenValue) ip++;");
                        w.Line("else { exitCode = -exitCode; goto Fault; }");
                        w.Line("continue;");
                        break;
                    default:
                        w.Line($"exitCode = (int){call};");
                        w.Line("goto Stop;");
                        break;
                }
                w.Indent--;
            }
            DispatchEmitter.EmitPseudoOps(w, set, index => $"case {N(index)}:", indentBody: true, charged: false);
            w.Line("default: // superinstructions are never decoded for this interpreter");
            w.Line("    goto Corrupt;");
            w.Close();
            w.Close();
            DispatchEmitter.EmitExits(w, set);
            w.Close();
            w.Close();
            return w.ToString();
        }
    }
}
