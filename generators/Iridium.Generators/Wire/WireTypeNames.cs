using Microsoft.CodeAnalysis;

namespace Iridium.Generators.Wire
{
    /// <summary>Names of the runtime's types and attributes, and how generated code spells types.</summary>
    internal static class WireTypeNames
    {
        public const string Runtime = "global::Iridium.Wire.";
        public const string MemoryPackable = "Iridium.Wire.MemoryPackableAttribute";
        public const string MemoryPackUnion = "Iridium.Wire.MemoryPackUnionAttribute";
        public const string MemoryPackOrder = "Iridium.Wire.MemoryPackOrderAttribute";
        public const string MemoryPackIgnore = "Iridium.Wire.MemoryPackIgnoreAttribute";
        public const string MemoryPackInclude = "Iridium.Wire.MemoryPackIncludeAttribute";
        public const string MemoryPackConstructor = "Iridium.Wire.MemoryPackConstructorAttribute";
        public const string WireSerializer = "Iridium.Wire.WireSerializer";

        /// <summary>Fully qualified, no nullable-reference annotations, tuples as ValueTuple&lt;...&gt;: one spelling per closed type.</summary>
        public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.ExpandValueTuple)
            .RemoveMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        public static string Of(ITypeSymbol type) => type.ToDisplayString(TypeFormat);

        public static bool HasAttribute(ISymbol symbol, string attributeName)
        {
            foreach (var attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == attributeName) return true;
            }
            return false;
        }

        public static AttributeData? FindAttribute(ISymbol symbol, string attributeName)
        {
            foreach (var attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == attributeName) return attribute;
            }
            return null;
        }

        /// <summary>The metadata name of a type's generic definition, e.g. System.Collections.Generic.List`1.</summary>
        public static string DefinitionName(INamedTypeSymbol type)
        {
            var definition = type.OriginalDefinition;
            string ns = definition.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
            return ns + definition.MetadataName;
        }
    }
}
