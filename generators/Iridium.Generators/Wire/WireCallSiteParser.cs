using System.Linq;
using System.Threading;
using Iridium.Generators.Common;
using Iridium.Generators.Wire.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Iridium.Generators.Wire
{
    /// <summary>The formatters one WireSerializer.Serialize/Deserialize call needs, and a diagnostic if its type cannot be serialized.</summary>
    internal sealed record CallSiteResult(EquatableArray<RegistrationModel> Registrations, DiagnosticInfo? Diagnostic);

    /// <summary>
    /// Finds WireSerializer.Serialize&lt;T&gt;/Deserialize&lt;T&gt; calls so closed types used only at
    /// the top level (List&lt;int&gt;, string[], Dictionary&lt;string,int&gt;, int?) get their
    /// formatters registered: under Native AOT nothing can be constructed on demand.
    /// </summary>
    internal static class WireCallSiteParser
    {
        public static bool IsCandidate(SyntaxNode node)
            => node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }
               && access.Name.Identifier.ValueText is "Serialize" or "Deserialize";

        public static CallSiteResult? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.SemanticModel.GetSymbolInfo(context.Node, cancellationToken).Symbol is not IMethodSymbol method) return null;
            if (method.ContainingType?.ToDisplayString() != WireTypeNames.WireSerializer || method.TypeArguments.Length != 1) return null;
            var type = method.TypeArguments[0];
            if (type is ITypeParameterSymbol || type.TypeKind == TypeKind.Error) return null;

            var classifier = new WireTypeClassifier();
            if (!classifier.TryClassify(type, out _, out string unsupported))
            {
                return new CallSiteResult(EquatableArray<RegistrationModel>.Empty,
                    DiagnosticInfo.Create(Diagnostics.WireUnsupportedCallSiteType, context.Node.GetLocation(), type.ToDisplayString(), unsupported));
            }
            var registrations = classifier.Registrations.ToEquatableArray();
            return registrations.Count == 0 ? null : new CallSiteResult(registrations, null);
        }
    }
}
