using Iridium.Generators.Opcodes.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// Generates everything that follows from the [Opcode] definitions and the [Superinstruction]
    /// declarations: the Opcode enum, the metadata table, the operand decoders, the interpreter and
    /// the reference interpreter. Pipeline: parse each definition (and each class of declarations)
    /// into an equatable model, join them into one instruction set, emit.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class OpcodeGenerator : IIncrementalGenerator
    {
        public const string ParseStep = "Opcodes.1.Parse";
        public const string SuperinstructionStep = "Opcodes.1.Superinstructions";
        public const string BuildStep = "Opcodes.2.Build";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var parsed = context.SyntaxProvider.ForAttributeWithMetadataName(
                    OpcodeParser.AttributeName,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (ctx, _) => OpcodeParser.Parse((IMethodSymbol)ctx.TargetSymbol, ctx.Attributes[0], ctx.TargetNode, ctx.SemanticModel))
                .WithTrackingName(ParseStep);

            var superinstructions = context.SyntaxProvider.ForAttributeWithMetadataName(
                    SuperinstructionParser.AttributeName,
                    static (node, _) => node is ClassDeclarationSyntax,
                    static (ctx, _) => SuperinstructionParser.Parse(ctx.Attributes))
                .WithTrackingName(SuperinstructionStep);

            var built = parsed.Collect()
                .Combine(superinstructions.Collect())
                .Select(static (inputs, _) => InstructionSetBuilder.Build(inputs.Left, inputs.Right))
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
