using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Opcodes.Model;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// Joins the per-method results and the superinstruction declarations into one instruction set
    /// and checks what only the whole set can show: duplicate numbers, duplicate mnemonics, the
    /// single catch-all opcode, superinstructions naming unknown or unsuitable opcodes.
    /// </summary>
    internal static class InstructionSetBuilder
    {
        /// <summary>
        /// Longest superinstruction: every part reads its own slot, so longer ones only grow the code.
        /// Five fits a call with its set-up (save three registers, step the argument, CALL).
        /// </summary>
        public const int MaxSuperinstructionLength = 8;

        /// <summary>Dispatch indexes are one byte.</summary>
        public const int MaxDispatchIndexes = 256;

        public static (InstructionSetModel? Set, EquatableArray<DiagnosticInfo> Diagnostics) Build(
            ImmutableArray<OpcodeParseResult> results, ImmutableArray<EquatableArray<SuperinstructionDeclaration>> superinstructions)
        {
            var diagnostics = new List<DiagnosticInfo>();
            foreach (var r in results) diagnostics.AddRange(r.Diagnostics);

            var models = results.Where(r => r.Model is not null).Select(r => r.Model!)
                .OrderBy(m => m.Number).ThenBy(m => m.Mnemonic, System.StringComparer.Ordinal).ToList();
            if (results.Length == 0) return (null, diagnostics.ToEquatableArray());

            var byNumber = new Dictionary<int, OpcodeModel>();
            var byMnemonic = new Dictionary<string, OpcodeModel>(System.StringComparer.OrdinalIgnoreCase);
            foreach (var m in models)
            {
                if (byNumber.TryGetValue(m.Number, out var first))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.DuplicateOpcodeNumber, m.Location,
                        new[] { m.Number.ToString(CultureInfo.InvariantCulture), first.Mnemonic, m.Mnemonic }.ToEquatableArray()));
                }
                else byNumber.Add(m.Number, m);

                if (byMnemonic.TryGetValue(m.Mnemonic, out var same))
                {
                    diagnostics.Add(new DiagnosticInfo(Diagnostics.DuplicateMnemonic, m.Location,
                        new[] { m.Mnemonic, same.Number.ToString(CultureInfo.InvariantCulture), m.Number.ToString(CultureInfo.InvariantCulture) }.ToEquatableArray()));
                }
                else byMnemonic.Add(m.Mnemonic, m);
            }

            int catchAll = models.Count(m => m.CatchesUnknownBytes);
            if (catchAll != 1 && results.All(r => r.Diagnostics.Count == 0))
            {
                var at = models.FirstOrDefault(m => m.CatchesUnknownBytes)?.Location ?? models.FirstOrDefault()?.Location;
                diagnostics.Add(new DiagnosticInfo(Diagnostics.CatchAllOpcode, at,
                    new[] { catchAll.ToString(CultureInfo.InvariantCulture) }.ToEquatableArray()));
            }

            if (diagnostics.Count > 0) return (null, diagnostics.ToEquatableArray());

            var sequences = ExpandSuperinstructions(superinstructions.SelectMany(s => s), models, diagnostics);
            int firstSuperinstruction = models.Count + InstructionSetModel.PseudoOpCount; // after the opcodes and the pseudo-ops
            int loops = sequences.Count(s => s.Loops);
            if (firstSuperinstruction + sequences.Count + loops > MaxDispatchIndexes)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidSuperinstruction, null, "declarations",
                    $"make {sequences.Count} superinstructions and {loops} loop variants; with {firstSuperinstruction} opcodes and pseudo-ops that exceeds the {MaxDispatchIndexes} one-byte dispatch indexes"));
            }
            if (diagnostics.Count > 0) return (null, diagnostics.ToEquatableArray());

            // Loop variants come after every superinstruction, in the same order.
            int nextLoop = firstSuperinstruction + sequences.Count;
            var fused = sequences
                .Select((s, i) => new SuperinstructionModel(firstSuperinstruction + i, s.Parts.ToEquatableArray(), s.Loops ? nextLoop++ : -1))
                .ToEquatableArray();
            string ns = results[0].Namespace;
            var usings = results.SelectMany(r => r.Usings).Distinct().OrderBy(u => u, System.StringComparer.Ordinal).ToEquatableArray();
            return (new InstructionSetModel(ns, usings, models.ToEquatableArray(), fused), EquatableArray<DiagnosticInfo>.Empty);
        }

        /// <summary>
        /// Every combination each declaration names, as opcode-list indexes, in a deterministic order
        /// (by the opcode numbers of the parts), each with whether it has a loop variant. Reports
        /// unknown mnemonics, bad lengths, a stop before the last part, a sequence declared twice,
        /// and loop variants of a sequence whose last part never branches to a decoded target.
        /// </summary>
        private static List<(int[] Parts, bool Loops)> ExpandSuperinstructions(
            IEnumerable<SuperinstructionDeclaration> declarations, List<OpcodeModel> models, List<DiagnosticInfo> diagnostics)
        {
            var index = new Dictionary<string, int>(System.StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < models.Count; i++) index[models[i].Mnemonic] = i;

            var all = new List<(int[] Parts, bool Loops)>();
            var seen = new HashSet<string>();
            foreach (var declaration in declarations)
            {
                string name = string.Join(" ", declaration.Positions.Select(p => string.Join("|", p.Mnemonics)));
                if (declaration.Positions.Count < 2 || declaration.Positions.Count > MaxSuperinstructionLength)
                {
                    diagnostics.Add(Invalid(declaration, name, $"has {declaration.Positions.Count} parts; a superinstruction has 2 to {MaxSuperinstructionLength}"));
                    continue;
                }
                var choices = new List<List<int>>();
                for (int p = 0; p < declaration.Positions.Count; p++)
                {
                    var choice = new List<int>();
                    foreach (string mnemonic in declaration.Positions[p].Mnemonics)
                    {
                        if (index.TryGetValue(mnemonic, out int i)) choice.Add(i);
                        else diagnostics.Add(new DiagnosticInfo(Diagnostics.UnknownSuperinstructionMnemonic, declaration.Location,
                            new[] { (p + 1).ToString(CultureInfo.InvariantCulture), mnemonic }.ToEquatableArray()));
                    }
                    choices.Add(choice);
                }
                foreach (var parts in Combinations(choices))
                {
                    string key = string.Join(" ", parts.Select(i => models[i].Mnemonic));
                    var neverContinues = parts.Take(parts.Length - 1).Where(i => !models[i].CanContinue || models[i].CatchesUnknownBytes).ToList();
                    if (neverContinues.Count > 0)
                    {
                        diagnostics.Add(Invalid(declaration, key, $"has {models[neverContinues[0]].Mnemonic} before its last part, which never goes on to the next instruction"));
                    }
                    else if (!seen.Add(key))
                    {
                        diagnostics.Add(Invalid(declaration, key, "is declared twice"));
                    }
                    else if (declaration.Loops && !models[parts[parts.Length - 1]].Body.Exits.Any(e => e.Kind == ExitKind.JumpToSlot))
                    {
                        diagnostics.Add(Invalid(declaration, key, $"loops, but its last part ({models[parts[parts.Length - 1]].Mnemonic}) never branches to a decoded ADDR target"));
                    }
                    else all.Add((parts, declaration.Loops));
                }
            }
            return all.OrderBy(s => string.Join(",", s.Parts.Select(i => models[i].Number.ToString("D3", CultureInfo.InvariantCulture))), System.StringComparer.Ordinal).ToList();
        }

        private static IEnumerable<int[]> Combinations(List<List<int>> choices)
        {
            IEnumerable<int[]> result = new[] { new int[0] };
            foreach (var choice in choices)
            {
                var current = choice;
                result = result.SelectMany(prefix => current.Select(i => prefix.Concat(new[] { i }).ToArray()));
            }
            return result;
        }

        private static DiagnosticInfo Invalid(SuperinstructionDeclaration declaration, string name, string problem)
            => new DiagnosticInfo(Diagnostics.InvalidSuperinstruction, declaration.Location, new[] { name, problem }.ToEquatableArray());
    }
}
