using System.Collections.Generic;
using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Opcodes.Model;
using static Iridium.Generators.Opcodes.OpcodeEmitter;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// Machine.Dispatch.g.cs: the interpreter. One label per dispatch index; behind it the copied
    /// body of each part (one part for an opcode, several for a superinstruction), then that
    /// label's own copy of the dispatch switch. Every <c>return</c> of a body is a direct jump:
    /// to the next part, to the dispatch, or to the stop/fault exits.
    /// </summary>
    internal static class DispatchEmitter
    {
        public static string Emit(InstructionSetModel set)
        {
            var w = Start(set, withHandlerUsings: true);
            w.Open("public sealed partial class Machine");
            w.Line("/// <summary>");
            w.Line("/// The interpreter: every handler's body copied behind a label, and every label ending in its own");
            w.Line("/// copy of the dispatch switch (\"threaded\" dispatch, what computed goto gives a C interpreter):");
            w.Line("/// each copy is a separate indirect jump, so the CPU predicts the next opcode from the current");
            w.Line("/// one. A superinstruction runs its parts' bodies one after another with no dispatch between");
            w.Line("/// them. A bounded run charges each label its whole cost on entry (one step per part, from a");
            w.Line("/// local counter): a superinstruction the budget cannot pay for in full runs as its first part");
            w.Line("/// alone, so budgets stay exact to the instruction, and a part that leaves early gives back the");
            w.Line("/// steps of the parts it skipped. The instruction pointer lives in a local; <c>cpu.Pc</c> is");
            w.Line("/// stored only on exit (a copied body computes the pc from its slot). Runs until a stop,");
            w.Line("/// a fault or (bounded runs) the end of the step budget, which returns");
            w.Line("/// <see cref=\"ExecutionStatus.Running\"/>. A fault leaves pc on the faulting instruction.");
            w.Line("/// </summary>");
            w.Line("[System.Runtime.CompilerServices.SkipLocalsInit]");
            w.Open("private static unsafe ExecutionResult Dispatch<TBudget>(ref Cpu cpu, Instruction* code) where TBudget : struct, IStepBudget");
            w.Line("Instruction* ip = code + cpu.Pc;");
            w.Line("long steps = cpu.StepsLeft;");
            w.Line("int exitCode;");
            // Resident fields live in these locals for the whole run: written back where the run
            // leaves (EmitExits) and around a method a body calls in a return (see Exit).
            foreach (var field in ResidentFields(set)) w.Line($"{field.Type} {LocalName(field)} = cpu.{field.Name};");
            EmitDispatchSite(w, set);
            for (int index = 0; index < set.Opcodes.Count; index++)
            {
                EmitLabel(w, set, index, new[] { index });
            }
            foreach (var s in set.Superinstructions)
            {
                EmitLabel(w, set, s.DispatchIndex, s.Parts.ToArray());
            }
            foreach (var s in set.Superinstructions.Where(s => s.HasLoop))
            {
                EmitLabel(w, set, s.LoopIndex, s.Parts.ToArray(), loops: true);
            }
            w.Line();
            EmitPseudoOps(w, set, index => Label(index) + ":", indentBody: false, charged: true);
            EmitExits(w, set, WriteBack(ResidentWritten(set)));
            if (w.ToString().Contains("goto " + Redispatch + ";"))
            {
                // Where a body's slow path goes on after calling out: a dispatch site of its own, so
                // that no hot label's dispatch is also reached from a call (the register allocator
                // would make the hot path move the resident locals to where the call left them).
                w.Line(Redispatch + ":");
                EmitDispatchSite(w, set);
            }
            w.Close();
            w.Close();
            return w.ToString();
        }

        /// <summary>The [ForwardedField(Resident = true)]s any body uses, by name.</summary>
        private static List<ForwardedField> ResidentFields(InstructionSetModel set)
            => set.Opcodes.SelectMany(o => o.Body.ForwardedFields).Where(f => f.Resident).Distinct()
                .OrderBy(f => f.Name, System.StringComparer.Ordinal).ToList();

        /// <summary>The resident fields some body writes: the others never differ from their locals, and never go back.</summary>
        private static List<ForwardedField> ResidentWritten(InstructionSetModel set)
            => ResidentFields(set).Where(f => set.Opcodes.Any(o => o.Body.ForwardedFields.Contains(f) && Writes(o.Body, f))).ToList();

        private const string Redispatch = "Redispatch";

        internal static string Label(int index) => "Op" + N(index);

        /// <summary>
        /// The five pseudo-ops (end of program, truncated, bad register, jump fault, target fault), each behind the
        /// head <paramref name="head"/> gives its dispatch index: a label here, a case in the
        /// reference interpreter's switch (<paramref name="indentBody"/>). The first three take a
        /// step like an instruction: <paramref name="charged"/>, they charge it themselves, as every
        /// label of the fast interpreter does; otherwise the loop charged it before the switch. A
        /// jump-fault slot is no instruction (the jump that landed there faulted), so it takes no
        /// step: a run whose budget ends just before it faults the same way with a step to spare.
        /// </summary>
        internal static void EmitPseudoOps(SourceWriter w, InstructionSetModel set, System.Func<int, string> head, bool indentBody, bool charged)
        {
            void PseudoOp(int index, string comment, bool instruction, params string[] body)
            {
                w.Line($"{head(index)} // {comment}");
                if (indentBody) w.Indent++;
                if (instruction && charged) EmitCharge(w, 1, null);
                if (!instruction && !charged) w.Line("if (TBudget.IsBounded) steps++; // given back");
                foreach (string line in body) w.Line(line);
                if (indentBody) w.Indent--;
            }
            PseudoOp(set.EndIndex, "end of program", true, "exitCode = (int)StopCode.Illegal;", "goto Stop;");
            PseudoOp(set.TruncatedIndex, "fewer than 4 bytes at pc", true, "exitCode = (int)FaultCode.Truncated;", "goto Fault;");
            PseudoOp(set.BadRegisterIndex, "a register operand above 31", true, "exitCode = (int)FaultCode.Register;", "goto Fault;");
            PseudoOp(set.JumpFaultIndex, "a jump to an illegal ADDR target", false, "goto JumpFault;");
            PseudoOp(set.TargetFaultIndex, "an always-jumping instruction (CALL) to an illegal ADDR target: faults before it does anything", true, "exitCode = (int)FaultCode.Jump;", "goto Fault;");
        }

        /// <summary>
        /// The end of every run: stop, fault, out of steps, or a slot that no decoder writes.
        /// <paramref name="writeBack"/> puts the interpreter's resident locals back into the cpu.
        /// </summary>
        internal static void EmitExits(SourceWriter w, InstructionSetModel set, string writeBack = "")
        {
            void WriteBackLine()
            {
                if (writeBack.Length > 0) w.Line(writeBack.TrimEnd());
            }
            w.Line("Corrupt:");
            w.Line("throw new System.InvalidOperationException(\"corrupt decoded instruction\");");
            w.Line();
            w.Line("Stop:");
            w.Open("");
            WriteBackLine();
            w.Line("// A stop instruction is complete: pc moves past it (the end sentinel stays put).");
            w.Line("cpu.Pc = Cpu.SlotIndex(ip, code);");
            w.Line("if (TBudget.IsBounded) cpu.StepsLeft = steps;");
            w.Line("int stoppedAt = cpu.PcAddress;");
            w.Line("if (cpu.Pc < cpu.CodeCount) cpu.Pc++;");
            w.Line("return new ExecutionResult(ExecutionStatus.Stopped, exitCode, stoppedAt);");
            w.Close();
            w.Line("Fault:");
            WriteBackLine();
            w.Line("cpu.Pc = Cpu.SlotIndex(ip, code);");
            w.Line("if (TBudget.IsBounded) cpu.StepsLeft = steps;");
            w.Line("return new ExecutionResult(ExecutionStatus.Faulted, exitCode, cpu.PcAddress);");
            w.Line("OutOfSteps:");
            WriteBackLine();
            w.Line("// Not one step left (a charge may have taken the counter below zero).");
            w.Line("steps = 0;");
            w.Line("cpu.StepsLeft = 0;");
            w.Line("// Landing on a jump-fault slot is not an instruction: the jump faulted.");
            w.Line("if (ip->Op == InstructionDecoder.JumpFaultIndex) goto JumpFault;");
            w.Line("cpu.Pc = Cpu.SlotIndex(ip, code);");
            w.Line("return new ExecutionResult(ExecutionStatus.Running, 0, cpu.PcAddress);");
            w.Line("JumpFault:");
            w.Line("ip = code + ip->Imm;");
            w.Line("exitCode = (int)FaultCode.Jump;");
            w.Line("goto Fault;");
        }

        /// <summary>
        /// One dispatch index: its parts' bodies in order, then, if control can get there, the
        /// step past them and a dispatch site. Labels are written only where something jumps to
        /// them (an unused label is a compiler warning); a part only ever jumps forward to the
        /// next part, past the last one, or to the dispatch, so that is known when it is written.
        /// <paramref name="loops"/>: the loop variant of a superinstruction, decoded only where its
        /// last part branches to its own first slot; that branch, taken, starts the next round at
        /// once: ip is already the target, so the round does not wait on loading it, and there is
        /// no dispatch.
        /// </summary>
        private static void EmitLabel(SourceWriter w, InstructionSetModel set, int index, int[] parts, bool loops = false)
        {
            string label = Label(index);
            var used = new HashSet<string>();
            w.Line();
            string semantics = parts.Length == 1 ? ": " + set.Opcodes[parts[0]].Semantics : loops ? ", its last part branching to its first" : "";
            w.Line($"{label}: // {string.Join(" + ", parts.Select(p => Title(set.Opcodes[p])))}{semantics}");
            EmitCharge(w, parts.Length, parts.Length > 1 ? Label(parts[0]) : null);
            // A superinstruction keeps the other [ForwardedField]s its parts use in locals, for this
            // label only (the flag: a local for the whole interpreter measured slower on fib).
            var forwarded = parts.Length > 1
                ? parts.SelectMany(p => set.Opcodes[p].Body.ForwardedFields).Where(f => !f.Resident).Distinct().ToList()
                : new List<ForwardedField>();
            var resident = ResidentFields(set);
            var residentWritten = ResidentWritten(set);
            if (forwarded.Count > 0) w.Open("");
            foreach (var field in forwarded) w.Line($"{field.Type} {LocalName(field)} = cpu.{field.Name};");
            // Parts write forwarded fields to their locals only (three PUSHes store sp once, not three
            // times); the fields written so far go back to the cpu wherever control leaves the label or
            // code elsewhere may read them: before a method call, a fault, a stop, a dispatch.
            var dirty = new List<ForwardedField>();
            for (int k = 0; k < parts.Length; k++)
            {
                var op = set.Opcodes[parts[k]];
                if (k > 0 && used.Contains(PartLabel(label, k))) w.Line(PartLabel(label, k) + ":");
                // A part that calls out from its body writes its fields itself, after the earlier parts' went back.
                bool deferred = forwarded.Count > 0 && !op.Body.CallsOutsideExits;
                if (!deferred && dirty.Count > 0)
                {
                    w.Line(WriteBack(dirty));
                    dirty.Clear();
                }
                if (deferred) dirty = dirty.Union(WrittenFields(op.Body)).ToList();
                string? again = loops && k == parts.Length - 1 ? label : null;
                var calls = new CallSurroundings(WriteBack(residentWritten) + WriteBack(dirty), Reload(resident));
                EmitPart(w, op, k, parts.Length, PartLabel(label, k + 1), $"{label}_dispatch", again, used, calls, deferred, WriteBack(dirty));
            }
            // A void last part ends by running off its body, past every exit: the end of the label.
            if (dirty.Count > 0 && set.Opcodes[parts[parts.Length - 1]].Kind == HandlerKind.Next) w.Line(WriteBack(dirty));
            if (forwarded.Count > 0) w.Close();

            var last = set.Opcodes[parts[parts.Length - 1]];
            // A void body runs off its end; otherwise only an exit that went on to the next slot gets
            // there (a slow path that called out left for the separate dispatch site instead).
            bool nextReachable = last.CanContinue && (last.Kind == HandlerKind.Next || used.Contains(PartLabel(label, parts.Length)));
            string step = parts.Length == 1 ? "ip++;" : $"ip += {N(parts.Length)};";
            // A CALL or RET goes on to the next slot only after a slow path (growing the stack, a
            // checked return): its jump runs straight into the dispatch, and the step comes after it.
            bool jumpsAlmostAlways = last.Kind == HandlerKind.Jump && !last.Body.Exits.Any(e => e.Kind is ExitKind.Next or ExitKind.NotTaken);
            if (nextReachable && jumpsAlmostAlways && used.Contains($"{label}_dispatch"))
            {
                w.Line($"{label}_dispatch:");
                EmitDispatchSite(w, set);
                if (!used.Contains(PartLabel(label, parts.Length))) return;
                w.Line(PartLabel(label, parts.Length) + ":");
                w.Line(step);
                w.Line($"goto {label}_dispatch;");
                return;
            }
            if (nextReachable)
            {
                if (used.Contains(PartLabel(label, parts.Length))) w.Line(PartLabel(label, parts.Length) + ":");
                w.Line(step);
            }
            if (used.Contains($"{label}_dispatch")) w.Line($"{label}_dispatch:");
            if (nextReachable || used.Contains($"{label}_dispatch")) EmitDispatchSite(w, set);
        }

        /// <summary>
        /// A label's entry in a bounded run: take its <paramref name="cost"/> steps from the budget.
        /// When fewer are left, a superinstruction runs as its first part alone
        /// (<paramref name="firstPart"/>, whose label charges one step), so the budget can end
        /// between any two parts; a single instruction with none left ends the run before it.
        /// </summary>
        private static void EmitCharge(SourceWriter w, int cost, string? firstPart)
        {
            w.Open("if (TBudget.IsBounded)");
            if (firstPart is null) w.Line("if (--steps < 0) goto OutOfSteps;");
            else
            {
                // Subtract first: the branch tests the flags the subtraction set.
                w.Line($"steps -= {N(cost)};");
                w.Line($"if (steps < 0) {{ steps += {N(cost)}; goto {firstPart}; }}");
            }
            w.Close();
        }

        private static string LocalName(ForwardedField field) => "forwarded" + field.Name;

        /// <summary>The text of a write to a forwarded field in a body: <c>cpu.F = token = </c>.</summary>
        private static string FieldWrite(HandlerBodyModel body, ForwardedField field)
            => $"{body.CpuParameter}.{field.Name} = {HandlerBodyModel.ForwardedToken(field.Name)} = ";

        private static IEnumerable<ForwardedField> WrittenFields(HandlerBodyModel body)
            => body.ForwardedFields.Where(f => !f.Resident && Writes(body, f));

        private static bool Writes(HandlerBodyModel body, ForwardedField field)
            => body.Lines.Any(l => l.Contains(FieldWrite(body, field))) || body.Exits.Any(e => e.Expression.Contains(FieldWrite(body, field)));

        /// <summary>Statements that read the fields of <paramref name="fields"/> into their locals again.</summary>
        private static string Reload(IEnumerable<ForwardedField> fields)
            => string.Concat(fields.Select(f => $"{LocalName(f)} = cpu.{f.Name}; "));

        /// <summary>
        /// What surrounds a method a body calls in a return, which may read and change the forwarded
        /// fields: <paramref name="Before"/> writes back the resident ones and the label's dirty ones,
        /// <paramref name="After"/> reads the resident ones again at once (the label is left after the
        /// call, so its own fields are not read again).
        /// </summary>
        private sealed record CallSurroundings(string Before, string After);

        /// <summary>Statements that put the locals of <paramref name="fields"/> back into the cpu.</summary>
        private static string WriteBack(IEnumerable<ForwardedField> fields)
            => string.Concat(fields.OrderBy(f => f.Name, System.StringComparer.Ordinal).Select(f => $"cpu.{f.Name} = {LocalName(f)}; "));

        /// <summary>The label before part <paramref name="k"/>; k = the part count is the step past the last part.</summary>
        private static string PartLabel(string label, int k) => $"{label}_{N(k)}";

        /// <summary>
        /// One part (<paramref name="k"/> of <paramref name="partCount"/>): its slot as the handler's
        /// instruction parameter, and its body with each return made a jump. A jump to a decoded slot
        /// goes to <paramref name="again"/> when it is given.
        /// </summary>
        /// <param name="deferred">Writes to forwarded fields go to the locals only (a superinstruction's part that calls nothing from its body).</param>
        /// <param name="writeBack">Statements that put the fields written so far (this part's included) back into the cpu.</param>
        private static void EmitPart(
            SourceWriter w, OpcodeModel op, int k, int partCount, string next, string dispatch, string? again, HashSet<string> used, CallSurroundings calls,
            bool deferred, string writeBack)
        {
            var body = op.Body;
            bool named = partCount > 1;
            if (named) w.Line($"// {Title(op)}");
            w.Open("");
            if (body.CpuParameter != "cpu") w.Line($"ref Cpu {body.CpuParameter} = ref cpu;");
            string slot = k == 0 ? "(*ip)" : $"ip[{N(k)}]";
            string index = k == 0 ? "Cpu.SlotIndex(ip, code)" : $"(Cpu.SlotIndex(ip, code) + {N(k)})";
            string Substitute(string text)
            {
                text = text.Replace(HandlerBodyModel.InstructionToken, slot)
                    .Replace(HandlerBodyModel.PcAddressToken, $"(cpu.CodeStart + 4 * {index})")
                    .Replace(HandlerBodyModel.PcToken, index);
                foreach (var field in body.ForwardedFields)
                {
                    string token = HandlerBodyModel.ForwardedToken(field.Name);
                    if (field.Resident)
                    {
                        // Always the interpreter's local: "cpu.Sp = token = x" becomes "forwardedSp = x".
                        text = text.Replace(FieldWrite(body, field), LocalName(field) + " = ").Replace(token, LocalName(field));
                        continue;
                    }
                    if (deferred) text = text.Replace(FieldWrite(body, field), LocalName(field) + " = ");
                    // Alone, the field is the local: "cpu.Eq = token = x" becomes "cpu.Eq = x", reads "cpu.Eq".
                    text = named
                        ? text.Replace(token, LocalName(field))
                        : text.Replace(token + " = ", "").Replace(token, $"{body.CpuParameter}.{field.Name}");
                }
                return text;
            }
            var placeholders = new Dictionary<string, int>();
            for (int e = 0; e < body.Exits.Count; e++) placeholders[HandlerBodyModel.Placeholder(e)] = e;
            foreach (string line in body.Lines)
            {
                string trimmed = line.Trim();
                if (placeholders.TryGetValue(trimmed, out int exit))
                {
                    string indent = line.Substring(0, line.Length - line.TrimStart().Length);
                    w.Line(indent + Substitute(Exit(body.Exits[exit], body.CpuParameter, k, partCount - 1 - k, next, dispatch, again, used, calls, writeBack)));
                }
                else if (named || !IsKnownFlag(body, trimmed)) w.Line(Substitute(line));
            }
            w.Close();
        }

        /// <summary>A line that only says what a bool forwarded field is on one side of a branch on it.</summary>
        private static bool IsKnownFlag(HandlerBodyModel body, string line)
            => body.ForwardedFields.Any(f => line == HandlerBodyModel.KnownFlag(f.Name, true) || line == HandlerBodyModel.KnownFlag(f.Name, false));

        /// <summary>
        /// The code a return becomes, for the part at offset <paramref name="k"/> of its label, with
        /// <paramref name="partsAfter"/> parts after it: leaving the label anywhere but to the next
        /// part gives their steps back (they were charged on entry and will not run).
        /// </summary>
        /// <param name="calls">What goes around an exit expression that calls a method.</param>
        /// <param name="writeBack">Statements that put the label's forwarded fields back into the cpu: run where control leaves the label.</param>
        private static string Exit(BodyExit exit, string cpu, int k, int partsAfter, string next, string dispatch, string? again, HashSet<string> used, CallSurroundings calls, string writeBack)
        {
            // A method given the cpu, or reached through the machine, may read and change forwarded
            // fields (PUSH growing the stack); other calls in an exit (cpu.TargetIndex) are pure.
            bool callsOut = exit.Expression.Contains("ref " + cpu) || exit.Expression.Contains(cpu + ".Vm");
            // Before and after an expression that calls out; otherwise the label's fields go back where control leaves it.
            string before = callsOut ? calls.Before : "";
            string after = callsOut ? calls.After : "";
            string leaving = callsOut ? "" : writeBack;
            // The last part's next is the end of the label.
            string continuing = partsAfter == 0 ? leaving : "";
            string refund = partsAfter == 0 ? "" : $"if (TBudget.IsBounded) steps += {N(partsAfter)}; ";
            string here = (k == 0 ? "" : $"ip += {N(k)}; ") + refund + leaving;
            string GoNext()
            {
                used.Add(next);
                return $"goto {next};";
            }
            string GoDispatch()
            {
                used.Add(dispatch);
                return $"goto {dispatch};";
            }
            // After a call, the part's slow path leaves the label for the separate dispatch site:
            // the label's fields went back before the call, the resident ones were read again after it.
            string onward = (refund + $"ip += {N(k + 1)}; goto {Redispatch};").Replace("ip += 1;", "ip++;");
            switch (exit.Kind)
            {
                case ExitKind.Next:
                case ExitKind.NotTaken:
                    return continuing.Length == 0 ? GoNext() : $"{{ {continuing}{GoNext()} }}";
                case ExitKind.Fault:
                    return $"{{ {before}{here}exitCode = (int)({exit.Expression}); {after}goto Fault; }}";
                case ExitKind.ComputedFault when callsOut:
                    return $"{{ {before}FaultCode faultCode = {exit.Expression}; {after}if (faultCode != FaultCode.None) {{ {here}exitCode = (int)faultCode; goto Fault; }} {onward} }}";
                case ExitKind.ComputedFault:
                    return $"{{ FaultCode faultCode = {exit.Expression}; if (faultCode != FaultCode.None) {{ {here}exitCode = (int)faultCode; goto Fault; }} {continuing}{GoNext()} }}";
                case ExitKind.Jump when callsOut:
                    return $"{{ {before}int nextSlot = {exit.Expression}; {after}if (nextSlot < 0) {{ {here}exitCode = -nextSlot; goto Fault; }} {refund}ip = code + (uint)nextSlot; goto {Redispatch}; }}";
                case ExitKind.Jump:
                    return $"{{ int nextSlot = {exit.Expression}; if (nextSlot < 0) {{ {here}exitCode = -nextSlot; goto Fault; }} {refund}{leaving}ip = code + (uint)nextSlot; {GoDispatch()} }}";
                case ExitKind.JumpToSlot when again is not null:
                    return leaving.Length == 0 ? $"goto {again};" : $"{{ {leaving}goto {again}; }}";
                case ExitKind.JumpToSlot when callsOut:
                    return $"{{ {before}{refund}ip = code + (uint)({exit.Expression}); {after}goto {Redispatch}; }}";
                case ExitKind.JumpToSlot:
                    return $"{{ {refund}{leaving}ip = code + (uint)({exit.Expression}); {GoDispatch()} }}";
                case ExitKind.ComputedBranch when callsOut:
                    return $"{{ {before}int nextSlot = ({exit.Expression}).Value; {after}if (nextSlot >= 0) {{ {refund}ip = code + (uint)nextSlot; goto {Redispatch}; }} if (nextSlot != Branch.NotTakenValue) {{ {here}exitCode = -nextSlot; goto Fault; }} {onward} }}";
                case ExitKind.ComputedBranch:
                    return $"{{ int nextSlot = ({exit.Expression}).Value; if (nextSlot >= 0) {{ {refund}{leaving}ip = code + (uint)nextSlot; {GoDispatch()} }} if (nextSlot != Branch.NotTakenValue) {{ {here}exitCode = -nextSlot; goto Fault; }} {continuing}{GoNext()} }}";
                default:
                    return $"{{ {before}{here}exitCode = (int)({exit.Expression}); {after}goto Stop; }}";
            }
        }

        /// <summary>One copy of the dispatch: a jump table (the label it jumps to charges the step).</summary>
        internal static void EmitDispatchSite(SourceWriter w, InstructionSetModel set)
        {
            w.Open("switch (ip->Op)");
            for (int i = 0; i < set.DispatchCount; i++) w.Line($"case {N(i)}: goto {Label(i)};");
            w.Line("default: goto Corrupt;");
            w.Close();
        }

        /// <summary>The reference interpreter, before an instruction starts: out of steps, or one step fewer (compiled away when unbounded).</summary>
        internal static void EmitBudgetCheck(SourceWriter w) => EmitCharge(w, 1, null);
    }
}
