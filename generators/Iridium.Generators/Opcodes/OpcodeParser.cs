using System.Collections.Generic;
using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Opcodes.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// Reads one [Opcode] handler method into an <see cref="OpcodeModel"/>. Symbols stop here:
    /// nothing this returns refers to the compilation.
    /// </summary>
    internal static class OpcodeParser
    {
        public const string AttributeName = "Iridium.Vm.OpcodeAttribute";

        private static readonly Dictionary<string, OperandModel> s_operandKinds = new Dictionary<string, OperandModel>
        {
            ["R"] = new OperandModel("Register", 1, IsRegister: true, IsAddress: false),
            ["F"] = new OperandModel("FloatRegister", 1, IsRegister: true, IsAddress: false),
            ["COUNT"] = new OperandModel("Count", 1, IsRegister: false, IsAddress: false),
            ["IMM32"] = new OperandModel("Imm32", 2, IsRegister: false, IsAddress: false),
            ["IMM16"] = new OperandModel("Imm16", 2, IsRegister: false, IsAddress: false),
            ["U16"] = new OperandModel("U16", 2, IsRegister: false, IsAddress: false),
            ["ADDR"] = new OperandModel("Address", 2, IsRegister: false, IsAddress: true),
            ["LIT16"] = new OperandModel("Literal16", 2, IsRegister: false, IsAddress: false),
            ["F16"] = new OperandModel("Float16", 2, IsRegister: false, IsAddress: false),
        };

        public static OpcodeParseResult Parse(IMethodSymbol method, AttributeData attribute, SyntaxNode declaration, SemanticModel semanticModel)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var location = method.Locations.FirstOrDefault();
            string ns = method.ContainingNamespace.IsGlobalNamespace ? "" : method.ContainingNamespace.ToDisplayString();

            var args = attribute.ConstructorArguments;
            if (args.Length != 4 || args.Any(a => a.Kind == TypedConstantKind.Error))
            {
                // The compiler already reports bad attribute arguments.
                return new OpcodeParseResult(ns, EquatableArray<string>.Empty, null, EquatableArray<DiagnosticInfo>.Empty);
            }
            int number = System.Convert.ToInt32(args[0].Value, System.Globalization.CultureInfo.InvariantCulture);
            string mnemonic = (string?)args[1].Value ?? "";
            string format = ((string?)args[2].Value ?? "").Trim();
            string semantics = (string?)args[3].Value ?? "";
            bool catchAll = attribute.NamedArguments.Any(a => a.Key == "CatchesUnknownBytes" && a.Value.Value is true);
            var attributeLocation = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? location;

            if (!IsValidMnemonic(mnemonic))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.InvalidMnemonic, attributeLocation, mnemonic));
            }

            var operands = new List<OperandModel>();
            foreach (var token in format.Split(new[] { ' ', '\t' }, System.StringSplitOptions.RemoveEmptyEntries))
            {
                if (s_operandKinds.TryGetValue(token, out var operand)) operands.Add(operand);
                else diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnknownOperandKind, attributeLocation, format, mnemonic, token));
            }
            int width = operands.Sum(o => o.Width);
            if (width > 3 || operands.Count(o => o.Width == 2) > 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.OperandsTooWide, attributeLocation, format, mnemonic, width.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }

            var kind = ReadHandlerKind(method, out string? signatureProblem);
            if (signatureProblem is null && declaration is MethodDeclarationSyntax { Body: null, ExpressionBody: null })
            {
                signatureProblem = "it has no body";
            }
            if (signatureProblem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.HandlerSignatureMismatch, location, method.Name, mnemonic, signatureProblem));
            }

            HandlerBodyModel? body = diagnostics.Count == 0
                ? HandlerBodyParser.Read((MethodDeclarationSyntax)declaration, method, semanticModel, kind, diagnostics)
                : null;
            OpcodeModel? model = diagnostics.Count == 0
                ? new OpcodeModel(
                    number, mnemonic, format, operands.ToEquatableArray(), semantics, kind, ReadsPc(declaration),
                    method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                    method.Name, catchAll, body!, LocationInfo.From(attributeLocation))
                : null;
            return new OpcodeParseResult(ns, Usings(declaration), model, diagnostics.ToEquatableArray());
        }

        /// <summary>The using directives in scope of the handler's file: its body is copied into the generated interpreter.</summary>
        private static EquatableArray<string> Usings(SyntaxNode declaration)
            => declaration.Ancestors()
                .SelectMany(node => node switch
                {
                    CompilationUnitSyntax unit => unit.Usings,
                    BaseNamespaceDeclarationSyntax ns => ns.Usings,
                    _ => default(SyntaxList<UsingDirectiveSyntax>),
                })
                .Select(u => u.NormalizeWhitespace().ToFullString())
                .ToEquatableArray();

        /// <summary>
        /// Whether the handler body mentions <c>Pc</c> or <c>PcAddress</c>. The dispatch loop keeps
        /// the instruction pointer in a local and stores it into <c>cpu.Pc</c> only before the
        /// handlers that read it; inferring this from the body means it cannot drift.
        /// </summary>
        private static bool ReadsPc(SyntaxNode declaration)
            => declaration.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Any(id => id.Identifier.ValueText == "Pc" || id.Identifier.ValueText == "PcAddress");

        private static bool IsValidMnemonic(string mnemonic)
        {
            if (mnemonic.Length == 0 || mnemonic[0] < 'A' || mnemonic[0] > 'Z') return false;
            return mnemonic.All(c => (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
        }

        private static HandlerKind ReadHandlerKind(IMethodSymbol method, out string? problem)
        {
            problem = null;
            if (!method.IsStatic) { problem = "it is not static"; return default; }
            if (method.IsGenericMethod) { problem = "it is generic"; return default; }
            if (method.Parameters.Length != 2) { problem = $"it has {method.Parameters.Length} parameters"; return default; }
            var cpu = method.Parameters[0];
            if (cpu.RefKind != RefKind.Ref || cpu.Type.Name != "Cpu") { problem = "the first parameter must be 'ref Cpu'"; return default; }
            var ins = method.Parameters[1];
            if (ins.RefKind != RefKind.In || ins.Type.Name != "Instruction") { problem = "the second parameter must be 'in Instruction'"; return default; }
            if (method.ReturnsByRef || method.ReturnsByRefReadonly) { problem = "it returns by reference"; return default; }
            if (method.ReturnsVoid) return HandlerKind.Next;
            switch (method.ReturnType.Name)
            {
                case "FaultCode": return HandlerKind.NextOrFault;
                case "Branch": return HandlerKind.Jump;
                case "StopCode": return HandlerKind.Stop;
                default:
                    problem = $"return type '{method.ReturnType.ToDisplayString()}' is not one of void, FaultCode, Branch, StopCode";
                    return default;
            }
        }
    }
}
