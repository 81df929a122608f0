using System.Linq;
using Iridium.Generators.Opcodes.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// Generates everything that follows from the [Opcode] definitions: the Opcode enum, the
    /// metadata table, the operand decoders and the dispatch loop. Pipeline: parse each
    /// definition into an equatable model, join them into one instruction set, emit.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class OpcodeGenerator : IIncrementalGenerator
    {
        public const string ParseStep = "Opcodes.1.Parse";
        public const string BuildStep = "Opcodes.2.Build";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var parsed = context.SyntaxProvider.ForAttributeWithMetadataName(
                    OpcodeParser.AttributeName,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (ctx, _) => OpcodeParser.Parse((IMethodSymbol)ctx.TargetSymbol, ctx.Attributes[0], ctx.TargetNode))
                .WithTrackingName(ParseStep);

            var built = parsed.Collect()
                .Select(static (results, _) => InstructionSetBuilder.Build(results))
                .WithTrackingName(BuildStep);

            context.RegisterSourceOutput(built.Select(static (b, _) => b.Diagnostics), static (spc, diagnostics) =>
            {
                foreach (var d in diagnostics) spc.ReportDiagnostic(d.ToDiagnostic());
            });

            context.RegisterSourceOutput(built.Select(static (b, _) => b.Set), static (spc, set) =>
            {
                if (set is null) return;
                foreach (var file in OpcodeEmitter.Emit(set))
                {
                    spc.AddSource(file.HintName, file.Source);
                }
            });
        }
    }
}
