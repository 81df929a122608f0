using System.Collections.Generic;
using System.Linq;
using Iridium.Generators.Common;
using Iridium.Generators.Opcodes.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Iridium.Generators.Opcodes
{
    /// <summary>
    /// Turns a handler method's body into the text the generated interpreter runs in place of a
    /// call (as CPython's cases generator copies each instruction's body into the eval loop).
    /// Copying rather than relying on the JIT to inline lets every <c>return</c> become a direct
    /// jump: a returned FaultCode or Branch is never materialised and tested again, which the JIT
    /// does not undo (measured: 4 extra instructions per fallible handler). The handler method
    /// stays the one definition and keeps compiling on its own; the reference interpreter calls it.
    /// </summary>
    internal static class HandlerBodyParser
    {
        /// <summary>Locals of the generated interpreter; a handler body must not declare them.</summary>
        public static readonly string[] ReservedNames = { "ip", "code", "exitCode", "nextSlot", "faultCode", "branch" };

        public static HandlerBodyModel Read(
            MethodDeclarationSyntax declaration, IMethodSymbol method, SemanticModel semanticModel, HandlerKind kind,
            List<DiagnosticInfo> diagnostics)
        {
            var rewriter = new BodyRewriter(semanticModel, method, kind, diagnostics);
            BlockSyntax block;
            if (declaration.Body is { } body)
            {
                block = (BlockSyntax)rewriter.Visit(body)!;
            }
            else
            {
                var expression = declaration.ExpressionBody!.Expression;
                block = method.ReturnsVoid
                    ? Block(ExpressionStatement((ExpressionSyntax)rewriter.Visit(expression)!))
                    : Block(rewriter.ExitFor(expression));
            }

            // Normalized text, without the braces of the outer block and its indentation.
            var lines = block.NormalizeWhitespace("    ", "\n").ToFullString().Split('\n').ToList();
            lines = lines.Skip(1).Take(lines.Count - 2).Select(l => l.StartsWith("    ", System.StringComparison.Ordinal) ? l.Substring(4) : l).ToList();
            return new HandlerBodyModel(
                method.Parameters[0].Name, lines.ToEquatableArray(), rewriter.Exits.ToEquatableArray(),
                rewriter.Forwarded.Values.OrderBy(f => f.Name, System.StringComparer.Ordinal).ToEquatableArray(),
                CallsOutsideExits(block));
        }

        /// <summary>
        /// Whether the rewritten body (its returns already placeholders) runs code elsewhere: a call, a
        /// construction, or a member of the machine (a property getter is a call too).
        /// </summary>
        private static bool CallsOutsideExits(BlockSyntax block) => block.DescendantNodes().Any(node => node
            is InvocationExpressionSyntax
            or BaseObjectCreationExpressionSyntax
            or MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Vm" });

        private sealed class BodyRewriter : CSharpSyntaxRewriter
        {
            private readonly SemanticModel _model;
            private readonly IMethodSymbol _method;
            private readonly HandlerKind _kind;
            private readonly List<DiagnosticInfo> _diagnostics;

            public BodyRewriter(SemanticModel model, IMethodSymbol method, HandlerKind kind, List<DiagnosticInfo> diagnostics)
            {
                _model = model;
                _method = method;
                _kind = kind;
                _diagnostics = diagnostics;
            }

            public List<BodyExit> Exits { get; } = new List<BodyExit>();

            public Dictionary<string, ForwardedField> Forwarded { get; } = new Dictionary<string, ForwardedField>();

            /// <summary><c>cpu.F</c> of a [ForwardedField] F: the local's token (writes: see <see cref="VisitAssignmentExpression"/>).</summary>
            public override SyntaxNode? VisitMemberAccessExpression(MemberAccessExpressionSyntax node)
            {
                if (ForwardedFieldOf(node) is { } field) return IdentifierName(HandlerBodyModel.ForwardedToken(field.Name)).WithTriviaFrom(node);
                if (IsOnCpu(node) && node.Name.Identifier.ValueText is "Pc" or "PcAddress")
                {
                    if (node.Parent is AssignmentExpressionSyntax assignment && assignment.Left == node)
                    {
                        Report("assigns the pc, which only the interpreter moves", node);
                        return node;
                    }
                    string token = node.Name.Identifier.ValueText == "Pc" ? HandlerBodyModel.PcToken : HandlerBodyModel.PcAddressToken;
                    return IdentifierName(token).WithTriviaFrom(node);
                }
                return base.VisitMemberAccessExpression(node);
            }

            private bool IsOnCpu(MemberAccessExpressionSyntax access)
                => access.Expression is IdentifierNameSyntax receiver
                    && _model.GetSymbolInfo(receiver).Symbol is IParameterSymbol parameter
                    && SymbolEqualityComparer.Default.Equals(parameter, _method.Parameters[0]);

            /// <summary><c>cpu.F = value</c> of a [ForwardedField] F writes the field and the local: <c>cpu.F = token = value</c>.</summary>
            public override SyntaxNode? VisitAssignmentExpression(AssignmentExpressionSyntax node)
            {
                if (ForwardedFieldOf(node.Left) is not { } field) return base.VisitAssignmentExpression(node);
                if (!node.IsKind(SyntaxKind.SimpleAssignmentExpression))
                {
                    Report($"changes the forwarded field {field.Name} other than by '='", node);
                    return node;
                }
                var value = (ExpressionSyntax)Visit(node.Right)!;
                var local = AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, IdentifierName(HandlerBodyModel.ForwardedToken(field.Name)), value);
                return node.WithRight(local);
            }

            private ForwardedField? ForwardedFieldOf(ExpressionSyntax expression)
            {
                if (expression is not MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver } access) return null;
                if (_model.GetSymbolInfo(receiver).Symbol is not IParameterSymbol parameter
                    || !SymbolEqualityComparer.Default.Equals(parameter, _method.Parameters[0])) return null;
                if (_model.GetSymbolInfo(access).Symbol is not IFieldSymbol field) return null;
                var attribute = field.GetAttributes().FirstOrDefault(a => a.AttributeClass?.Name == "ForwardedFieldAttribute");
                if (attribute is null) return null;
                bool resident = attribute.NamedArguments.Any(a => a.Key == "Resident" && a.Value.Value is true);
                var forwarded = new ForwardedField(field.Name, field.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), resident);
                Forwarded[field.Name] = forwarded;
                return forwarded;
            }

            public override SyntaxNode? VisitReturnStatement(ReturnStatementSyntax node)
                => node.Expression is null ? Exit(ExitKind.Next, "") : ExitFor(node.Expression);

            /// <summary>The statement that replaces <c>return original;</c>. A conditional splits into an if/else of two exits.</summary>
            public StatementSyntax ExitFor(ExpressionSyntax original)
            {
                while (original is ParenthesizedExpressionSyntax parenthesized) original = parenthesized.Expression;
                if (original is ConditionalExpressionSyntax conditional)
                {
                    var condition = (ExpressionSyntax)Visit(conditional.Condition)!;
                    var whenTrue = new List<StatementSyntax> { ExitFor(conditional.WhenTrue) };
                    var whenFalse = new List<StatementSyntax> { ExitFor(conditional.WhenFalse) };
                    // A branch on a bool forwarded field (DJMPE on the flag) knows the field on each side.
                    // Said so, a superinstruction whose compare set the flag branches on the compare itself
                    // and writes back a constant, instead of keeping the flag as a value and testing it.
                    if (UnwrapParentheses(conditional.Condition) is var tested && ForwardedFieldOf(tested) is { Type: "bool" } flag)
                    {
                        whenTrue.Insert(0, ParseStatement(HandlerBodyModel.KnownFlag(flag.Name, true)));
                        whenFalse.Insert(0, ParseStatement(HandlerBodyModel.KnownFlag(flag.Name, false)));
                    }
                    return IfStatement(condition, Block(whenTrue), ElseClause(Block(whenFalse)));
                }

                string text = ((ExpressionSyntax)Visit(original)!).NormalizeWhitespace().ToFullString();
                switch (_kind)
                {
                    case HandlerKind.NextOrFault:
                        var constant = _model.GetConstantValue(original);
                        if (!constant.HasValue) return Exit(ExitKind.ComputedFault, text);
                        return System.Convert.ToInt32(constant.Value, System.Globalization.CultureInfo.InvariantCulture) == 0
                            ? Exit(ExitKind.Next, "")
                            : Exit(ExitKind.Fault, text);
                    case HandlerKind.Jump:
                        return BranchExit(original, text);
                    case HandlerKind.Stop:
                        return Exit(ExitKind.Stop, text);
                    default:
                        return Exit(ExitKind.Next, "");
                }
            }

            /// <summary>Branch.To(e), Branch.ToSlot(e), Branch.NotTaken and Branch.Fault(c) become direct exits; anything else is tested at run time.</summary>
            private StatementSyntax BranchExit(ExpressionSyntax original, string text)
            {
                var symbol = _model.GetSymbolInfo(original).Symbol;
                bool onBranch = symbol?.ContainingType?.Name == "Branch";
                if (onBranch && symbol is IMethodSymbol { Name: "To" } && original is InvocationExpressionSyntax to)
                {
                    return Exit(ExitKind.Jump, ArgumentText(to));
                }
                if (onBranch && symbol is IMethodSymbol { Name: "ToSlot" } && original is InvocationExpressionSyntax toSlot)
                {
                    return Exit(ExitKind.JumpToSlot, ArgumentText(toSlot));
                }
                if (onBranch && symbol is IMethodSymbol { Name: "Fault" } && original is InvocationExpressionSyntax fault)
                {
                    return Exit(ExitKind.Fault, ArgumentText(fault));
                }
                if (onBranch && symbol is IPropertySymbol { Name: "NotTaken" }) return Exit(ExitKind.NotTaken, "");
                return Exit(ExitKind.ComputedBranch, text);
            }

            private static ExpressionSyntax UnwrapParentheses(ExpressionSyntax expression)
            {
                while (expression is ParenthesizedExpressionSyntax parenthesized) expression = parenthesized.Expression;
                return expression;
            }

            private string ArgumentText(InvocationExpressionSyntax invocation)
                => ((ExpressionSyntax)Visit(invocation.ArgumentList.Arguments[0].Expression)!).NormalizeWhitespace().ToFullString();

            private StatementSyntax Exit(ExitKind kind, string expression)
            {
                Exits.Add(new BodyExit(kind, expression));
                string placeholder = HandlerBodyModel.Placeholder(Exits.Count - 1);
                return ParseStatement(placeholder);
            }

            /// <summary>
            /// The instruction parameter becomes <see cref="HandlerBodyModel.InstructionToken"/>, for the
            /// emitter to replace with the part's slot (<c>ip[1]</c>): a ref local would cost a register
            /// move per part. Members of the handler's own class named without a qualifier get one: the
            /// text moves to another class.
            /// </summary>
            public override SyntaxNode? VisitIdentifierName(IdentifierNameSyntax node)
            {
                if (node.IsVar || IsQualifiedName(node)) return base.VisitIdentifierName(node);
                var symbol = _model.GetSymbolInfo(node).Symbol ?? _model.GetSymbolInfo(node).CandidateSymbols.FirstOrDefault();
                if (symbol is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter, _method.Parameters[1]))
                {
                    return IdentifierName(HandlerBodyModel.InstructionToken).WithTriviaFrom(node);
                }
                if (symbol is null || !symbol.IsStatic || symbol.Kind is SymbolKind.Local or SymbolKind.Parameter) return base.VisitIdentifierName(node);
                if (!SymbolEqualityComparer.Default.Equals(symbol.ContainingType, _method.ContainingType)) return base.VisitIdentifierName(node);
                if (symbol.DeclaredAccessibility == Accessibility.Private)
                {
                    Report($"uses '{symbol.Name}', which is private to {_method.ContainingType.Name}; the generated interpreter can only reach internal members", node);
                }
                string qualified = symbol.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + node.Identifier.ValueText;
                return ParseExpression(qualified).WithTriviaFrom(node);
            }

            public override SyntaxNode? VisitVariableDeclarator(VariableDeclaratorSyntax node)
            {
                CheckName(node.Identifier, node);
                return base.VisitVariableDeclarator(node);
            }

            public override SyntaxNode? VisitSingleVariableDesignation(SingleVariableDesignationSyntax node)
            {
                CheckName(node.Identifier, node);
                return base.VisitSingleVariableDesignation(node);
            }

            /// <summary>Nested functions are refused: their returns would be read as the handler's own.</summary>
            public override SyntaxNode? Visit(SyntaxNode? node)
            {
                string? nested = node switch
                {
                    LocalFunctionStatementSyntax => "declares a local function",
                    AnonymousMethodExpressionSyntax => "contains an anonymous method",
                    LambdaExpressionSyntax => "contains a lambda",
                    _ => null,
                };
                if (nested is null) return base.Visit(node);
                Report(nested + " (its returns would be read as the handler's)", node!);
                return node;
            }

            private static bool IsQualifiedName(IdentifierNameSyntax node) => node.Parent switch
            {
                MemberAccessExpressionSyntax access => access.Name == node,
                QualifiedNameSyntax qualified => qualified.Right == node,
                MemberBindingExpressionSyntax => true,
                NameColonSyntax => true,
                _ => false,
            };

            private void CheckName(SyntaxToken identifier, SyntaxNode node)
            {
                if (ReservedNames.Contains(identifier.ValueText))
                {
                    Report($"declares '{identifier.ValueText}', a name the generated interpreter uses", node);
                }
            }

            private void Report(string problem, SyntaxNode node)
                => _diagnostics.Add(DiagnosticInfo.Create(Diagnostics.UnsupportedHandlerBody, node.GetLocation(), _method.Name, problem));
        }
    }
}
