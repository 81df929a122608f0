using System.Collections.Generic;
using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Wire.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Iridium.Generators.Wire
{
    /// <summary>
    /// Generates MemoryPack-compatible formatters for [MemoryPackable] types (Iridium.Wire).
    /// Pipeline: parse each annotated type into an equatable model (diagnostics kept apart),
    /// emit one formatter per type; separately collect every formatter registration (types,
    /// closed generics they use, WireSerializer call sites) into one module initializer.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class WireGenerator : IIncrementalGenerator
    {
        public const string ParseStep = "Wire.1.Parse";
        public const string ModelStep = "Wire.2.Model";
        public const string CallSiteStep = "Wire.3.CallSites";
        public const string RegistrationStep = "Wire.4.Registrations";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var parsed = context.SyntaxProvider.ForAttributeWithMetadataName(
                    WireTypeNames.MemoryPackable,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, ct) => WireParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ctx.Attributes[0], ct))
                .WithTrackingName(ParseStep);

            var models = parsed.Select(static (r, _) => r.Model).WithTrackingName(ModelStep);

            var callSites = context.SyntaxProvider.CreateSyntaxProvider(
                    static (node, _) => WireCallSiteParser.IsCandidate(node),
                    static (ctx, ct) => WireCallSiteParser.Parse(ctx, ct))
                .Where(static r => r is not null)
                .WithTrackingName(CallSiteStep);

            context.RegisterSourceOutput(parsed.Select(static (r, _) => r.Diagnostics), static (spc, diagnostics) =>
            {
                foreach (var d in diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
            });
            context.RegisterSourceOutput(callSites, static (spc, site) =>
            {
                if (site!.Diagnostic is not null) spc.ReportDiagnostic(site.Diagnostic.ToDiagnostic());
            });

            context.RegisterSourceOutput(models, static (spc, model) =>
            {
                if (model is null) return;
                string? source = WireEmitter.Emit(model);
                if (source is not null) spc.AddSource(model.HintName, source);
            });

            var registrations = models
                .Select(static (m, _) => m?.Registrations ?? EquatableArray<RegistrationModel>.Empty)
                .Collect()
                .Combine(callSites.Select(static (s, _) => s!.Registrations).Collect())
                .Select(static (pair, _) => Merge(pair.Left.Concat(pair.Right)))
                .WithTrackingName(RegistrationStep);

            context.RegisterSourceOutput(registrations, static (spc, all) =>
            {
                if (all.Count > 0) spc.AddSource(WireRegistrationEmitter.HintName, WireRegistrationEmitter.Emit(all));
            });
        }

        /// <summary>One registration per type, sorted, so the output does not depend on file order.</summary>
        private static EquatableArray<RegistrationModel> Merge(IEnumerable<EquatableArray<RegistrationModel>> groups)
        {
            var byType = new SortedDictionary<string, RegistrationModel>(System.StringComparer.Ordinal);
            foreach (var group in groups)
            {
                foreach (var registration in group)
                {
                    // A type's own generated formatter wins over a generic fallback for it.
                    if (!byType.ContainsKey(registration.TypeName) || registration.FormatterExpression.Contains(WireEmitter.FormatterClassName))
                    {
                        byType[registration.TypeName] = registration;
                    }
                }
            }
            return byType.Values.ToEquatableArray();
        }
    }
}
