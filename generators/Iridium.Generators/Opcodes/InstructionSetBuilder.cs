using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Opcodes.Model;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// Joins the per-method results into one instruction set and checks what only the whole set
    /// can show: duplicate numbers, duplicate mnemonics, the single catch-all opcode.
    /// </summary>
    internal static class InstructionSetBuilder
    {
        public static (InstructionSetModel? Set, EquatableArray<DiagnosticInfo> Diagnostics) Build(ImmutableArray<OpcodeParseResult> results)
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
            return (new InstructionSetModel(results[0].Namespace, models.ToEquatableArray()), EquatableArray<DiagnosticInfo>.Empty);
        }
    }
}
