using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Iridium.Generators.Wire
{
    /// <summary>
    /// Finds the serialized members of a type by MemoryPack's rules (spec 4.1): instance fields
    /// and properties, base classes first, each type in declaration order; public ones plus
    /// [MemoryPackInclude], minus [MemoryPackIgnore]; no indexers, no set-only properties.
    /// </summary>
    internal static class WireMemberCollector
    {
        public static List<ISymbol> Collect(INamedTypeSymbol type)
        {
            var chain = new List<INamedTypeSymbol>();
            for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object && t.SpecialType != SpecialType.System_ValueType; t = t.BaseType)
            {
                chain.Insert(0, t);
            }

            var members = new List<ISymbol>();
            var names = new HashSet<string>();
            foreach (var declaring in chain)
            {
                foreach (var member in declaring.GetMembers())
                {
                    if (!IsCandidate(member)) continue;
                    if (!IsIncluded(member)) continue;
                    // An override or a redeclaration keeps the base member's position.
                    if (!names.Add(member.Name)) continue;
                    members.Add(member);
                }
            }
            return members;
        }

        private static bool IsCandidate(ISymbol member)
        {
            if (member.IsStatic || member.IsImplicitlyDeclared) return false;
            switch (member)
            {
                case IFieldSymbol field:
                    return !field.IsConst && field.AssociatedSymbol is null;
                case IPropertySymbol property:
                    return !property.IsIndexer && property.GetMethod is not null;
                default:
                    return false;
            }
        }

        private static bool IsIncluded(ISymbol member)
        {
            if (WireTypeNames.HasAttribute(member, WireTypeNames.MemoryPackIgnore)) return false;
            if (WireTypeNames.HasAttribute(member, WireTypeNames.MemoryPackInclude)) return true;
            return member.DeclaredAccessibility == Accessibility.Public
                   && (member is not IPropertySymbol p || p.GetMethod!.DeclaredAccessibility == Accessibility.Public);
        }

        public static ITypeSymbol TypeOf(ISymbol member) => member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type;

        /// <summary>The [MemoryPackOrder] value, or null.</summary>
        public static int? OrderOf(ISymbol member)
        {
            var attribute = WireTypeNames.FindAttribute(member, WireTypeNames.MemoryPackOrder);
            if (attribute is null || attribute.ConstructorArguments.Length != 1) return null;
            return attribute.ConstructorArguments[0].Value is int order ? order : (int?)null;
        }

        public static bool IsRequired(ISymbol member)
            => member is IPropertySymbol { IsRequired: true } || member is IFieldSymbol { IsRequired: true };

        /// <summary>Whether the generated formatter nested in <paramref name="type"/> can read <paramref name="member"/>.</summary>
        public static bool IsAccessible(ISymbol member, INamedTypeSymbol type)
            => member.DeclaredAccessibility != Accessibility.Private
               || SymbolEqualityComparer.Default.Equals(member.ContainingType, type);

        public static Location? LocationOf(ISymbol symbol) => symbol.Locations.FirstOrDefault();
    }
}
