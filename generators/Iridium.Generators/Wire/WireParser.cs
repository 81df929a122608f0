using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Iridium.Generators.Common;
using Iridium.Generators.Wire.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Iridium.Generators.Wire
{
    /// <summary>
    /// Reads one [MemoryPackable] type into a <see cref="TypeModel"/>, checking everything that
    /// would make it unserializable. Symbols stop here: the result refers to no compilation.
    /// </summary>
    internal static class WireParser
    {
        // Values of Iridium.Wire.GenerateType / SerializeLayout.
        private const int GenerateObject = 0, GenerateVersionTolerant = 1, GenerateCircularReference = 2, GenerateCollection = 3, GenerateNone = 4;
        private const int LayoutExplicit = 1;
        private const int MaxMembers = 249;

        public static WireParseResult Parse(INamedTypeSymbol type, AttributeData attribute, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var location = WireMemberCollector.LocationOf(type);
            ReadAttribute(attribute, out int generateType, out int layout);
            if (generateType == GenerateNone) return Result(null, diagnostics);

            if (!IsPartialChain(type))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireNonPartialType, location, type.Name));
                return Result(null, diagnostics);
            }
            if (type.IsGenericType || type.ContainingType?.IsGenericType == true)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireUnsupportedType, location, type.Name, "generic [MemoryPackable] types are not supported"));
                return Result(null, diagnostics);
            }
            if (generateType == GenerateCollection)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireUnsupportedType, location, type.Name, "GenerateType.Collection is not supported"));
                return Result(null, diagnostics);
            }

            var classifier = new WireTypeClassifier();
            bool isUnion = type.TypeKind == TypeKind.Interface || type.IsAbstract;
            var unionAttributes = type.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == WireTypeNames.MemoryPackUnion).ToList();
            if (unionAttributes.Count > 0 && !isUnion)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireInvalidUnionType, location, type.Name, "has [MemoryPackUnion] cases but is not an interface or abstract class"));
                return Result(null, diagnostics);
            }
            if (isUnion)
            {
                if (unionAttributes.Count == 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireInvalidUnionType, location, type.Name, "is an interface or abstract class, so it needs [MemoryPackUnion] cases"));
                    return Result(null, diagnostics);
                }
                var cases = ParseUnionCases(type, unionAttributes, diagnostics);
                return Result(diagnostics.Count > 0 ? null : Model(type, WireTypeKind.Union, EquatableArray<MemberModel>.Empty, 0, EquatableArray<string>.Empty, cases, classifier), diagnostics);
            }

            if (type.TypeKind == TypeKind.Struct && type.IsUnmanagedType)
            {
                // A raw image whatever the attribute says (spec 4.2); only registration is generated.
                return Result(Model(type, WireTypeKind.UnmanagedImage, EquatableArray<MemberModel>.Empty, 0, EquatableArray<string>.Empty, EquatableArray<UnionCaseModel>.Empty, classifier), diagnostics);
            }

            var kind = generateType == GenerateVersionTolerant ? WireTypeKind.VersionTolerant
                : generateType == GenerateCircularReference ? WireTypeKind.CircularReference
                : WireTypeKind.Object;
            bool explicitOrder = layout == LayoutExplicit || kind != WireTypeKind.Object;

            var symbols = WireMemberCollector.Collect(type);
            cancellationToken.ThrowIfCancellationRequested();
            var slots = AssignSlots(type, symbols, explicitOrder, kind == WireTypeKind.Object, diagnostics, out int slotCount);
            var constructor = ChooseConstructor(type, diagnostics);
            if (kind == WireTypeKind.CircularReference && (type.IsValueType || constructor is null || constructor.Parameters.Length != 0))
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireCircularReferenceConstructor, location, type.Name));
            }
            var constructorArguments = MatchConstructor(type, constructor, symbols, diagnostics, out var constructorMembers);

            var members = new List<MemberModel>();
            for (int i = 0; i < symbols.Count; i++)
            {
                var symbol = symbols[i];
                var memberType = WireMemberCollector.TypeOf(symbol);
                if (!WireMemberCollector.IsAccessible(symbol, type))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireInaccessibleMember, WireMemberCollector.LocationOf(symbol), symbol.Name, symbol.ContainingType.Name, type.Name));
                    continue;
                }
                if (!classifier.TryClassify(memberType, out var codec, out string unsupported))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireUnsupportedMemberType, WireMemberCollector.LocationOf(symbol),
                        symbol.Name, type.Name, memberType.ToDisplayString(), unsupported));
                    continue;
                }
                var assignment = constructorMembers.Contains(symbol.Name) ? MemberAssignment.Constructor : AssignmentOf(symbol, type);
                members.Add(new MemberModel(symbol.Name, WireTypeNames.Of(memberType), slots[i], codec, assignment));
            }

            if (diagnostics.Count > 0) return Result(null, diagnostics);
            var ordered = members.OrderBy(m => m.Slot).ToEquatableArray();
            return Result(Model(type, kind, ordered, slotCount, constructorArguments, EquatableArray<UnionCaseModel>.Empty, classifier), diagnostics);
        }

        private static WireParseResult Result(TypeModel? model, List<DiagnosticInfo> diagnostics)
            => new WireParseResult(model, diagnostics.ToEquatableArray());

        private static void ReadAttribute(AttributeData attribute, out int generateType, out int layout)
        {
            generateType = GenerateObject;
            layout = 0;
            var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArrayOfNone;
            for (int i = 0; i < attribute.ConstructorArguments.Length && i < parameters.Length; i++)
            {
                if (attribute.ConstructorArguments[i].Value is not int value) continue;
                if (parameters[i].Type.Name == "GenerateType") generateType = value;
                else if (parameters[i].Type.Name == "SerializeLayout") layout = value;
            }
        }

        private static readonly System.Collections.Immutable.ImmutableArray<IParameterSymbol> ImmutableArrayOfNone = System.Collections.Immutable.ImmutableArray<IParameterSymbol>.Empty;

        private static bool IsPartialChain(INamedTypeSymbol type)
        {
            for (var t = type; t is not null; t = t.ContainingType)
            {
                bool partial = t.DeclaringSyntaxReferences.Any(r =>
                    r.GetSyntax() is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));
                if (!partial) return false;
            }
            return true;
        }

        /// <summary>Slot (wire position) of each member; reports missing, duplicate and gapped orders.</summary>
        private static int[] AssignSlots(INamedTypeSymbol type, List<ISymbol> members, bool explicitOrder, bool contiguous, List<DiagnosticInfo> diagnostics, out int slotCount)
        {
            var slots = new int[members.Count];
            if (!explicitOrder)
            {
                for (int i = 0; i < slots.Length; i++) slots[i] = i;
                slotCount = members.Count;
            }
            else
            {
                var byOrder = new Dictionary<int, ISymbol>();
                slotCount = 0;
                for (int i = 0; i < members.Count; i++)
                {
                    int? order = WireMemberCollector.OrderOf(members[i]);
                    if (order is null || order < 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireMissingOrder, WireMemberCollector.LocationOf(members[i]), members[i].Name, type.Name));
                        continue;
                    }
                    if (byOrder.TryGetValue(order.Value, out var other))
                    {
                        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireDuplicateOrder, WireMemberCollector.LocationOf(members[i]),
                            other.Name, members[i].Name, type.Name, order.Value.ToString(CultureInfo.InvariantCulture)));
                        continue;
                    }
                    byOrder.Add(order.Value, members[i]);
                    slots[i] = order.Value;
                    slotCount = System.Math.Max(slotCount, order.Value + 1);
                }
                if (contiguous && diagnostics.Count == 0 && slotCount > members.Count)
                {
                    int missing = Enumerable.Range(0, slotCount).First(o => !byOrder.ContainsKey(o));
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireOrderGap, WireMemberCollector.LocationOf(type),
                        type.Name, (members.Count - 1).ToString(CultureInfo.InvariantCulture), missing.ToString(CultureInfo.InvariantCulture)));
                }
            }
            if (slotCount > MaxMembers)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireTooManyMembers, WireMemberCollector.LocationOf(type), type.Name, slotCount.ToString(CultureInfo.InvariantCulture)));
            }
            return slots;
        }

        /// <summary>
        /// MemoryPack's rule: the [MemoryPackConstructor] one; else the only declared one; else the
        /// parameterless one. Record copy constructors never count.
        /// </summary>
        private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, List<DiagnosticInfo> diagnostics)
        {
            var all = type.InstanceConstructors.Where(c => !IsCopyConstructor(c, type)).ToList();
            var marked = all.Where(c => WireTypeNames.HasAttribute(c, WireTypeNames.MemoryPackConstructor)).ToList();
            if (marked.Count == 1) return marked[0];
            var declared = all.Where(c => !c.IsImplicitlyDeclared).ToList();
            if (marked.Count == 0 && declared.Count == 1) return declared[0];
            var parameterless = all.FirstOrDefault(c => c.Parameters.Length == 0);
            if (marked.Count == 0 && parameterless is not null) return parameterless;
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireAmbiguousConstructor, WireMemberCollector.LocationOf(type),
                type.Name, (marked.Count > 0 ? marked.Count : declared.Count).ToString(CultureInfo.InvariantCulture)));
            return null;
        }

        private static bool IsCopyConstructor(IMethodSymbol constructor, INamedTypeSymbol type)
            => type.IsRecord && constructor.Parameters.Length == 1
               && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type);

        /// <summary>The constructor's arguments as member names, matched by name ignoring case.</summary>
        private static EquatableArray<string> MatchConstructor(INamedTypeSymbol type, IMethodSymbol? constructor, List<ISymbol> members,
            List<DiagnosticInfo> diagnostics, out HashSet<string> constructorMembers)
        {
            constructorMembers = new HashSet<string>();
            if (constructor is null) return EquatableArray<string>.Empty;
            var arguments = new List<string>();
            foreach (var parameter in constructor.Parameters)
            {
                var member = members.FirstOrDefault(m => string.Equals(m.Name, parameter.Name, System.StringComparison.OrdinalIgnoreCase));
                if (member is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireConstructorParameterWithoutMember, parameter.Locations.FirstOrDefault(), parameter.Name, type.Name));
                    continue;
                }
                constructorMembers.Add(member.Name);
                arguments.Add(member.Name);
            }
            return arguments.ToEquatableArray();
        }

        private static MemberAssignment AssignmentOf(ISymbol member, INamedTypeSymbol type)
        {
            if (WireMemberCollector.IsRequired(member)) return MemberAssignment.InitOnly;
            switch (member)
            {
                case IFieldSymbol field:
                    return field.IsReadOnly ? MemberAssignment.Discard : MemberAssignment.Settable;
                case IPropertySymbol { SetMethod: { } setter }:
                    if (!WireMemberCollector.IsAccessible(setter, type)) return MemberAssignment.Discard;
                    return setter.IsInitOnly ? MemberAssignment.InitOnly : MemberAssignment.Settable;
                default:
                    return MemberAssignment.Discard;
            }
        }

        private static EquatableArray<UnionCaseModel> ParseUnionCases(INamedTypeSymbol type, List<AttributeData> attributes, List<DiagnosticInfo> diagnostics)
        {
            var cases = new List<UnionCaseModel>();
            var byTag = new Dictionary<int, string>();
            foreach (var attribute in attributes)
            {
                var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();
                if (attribute.ConstructorArguments.Length != 2) continue;
                if (attribute.ConstructorArguments[0].Value is not ushort tag || attribute.ConstructorArguments[1].Value is not INamedTypeSymbol caseType) continue;
                bool derives = caseType.AllInterfaces.Contains(type, SymbolEqualityComparer.Default) || InheritsFrom(caseType, type);
                if (caseType.IsAbstract || caseType.TypeKind == TypeKind.Interface || !derives)
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireInvalidUnionCase, location, caseType.ToDisplayString(), type.Name));
                    continue;
                }
                if (byTag.TryGetValue(tag, out var existing))
                {
                    diagnostics.Add(DiagnosticInfo.Create(Diagnostics.WireDuplicateUnionTag, location,
                        tag.ToString(CultureInfo.InvariantCulture), type.Name, existing, caseType.Name));
                    continue;
                }
                byTag.Add(tag, caseType.Name);
                cases.Add(new UnionCaseModel(tag, WireTypeNames.Of(caseType)));
            }
            return cases.OrderBy(c => c.Tag).ToEquatableArray();
        }

        private static bool InheritsFrom(INamedTypeSymbol type, INamedTypeSymbol baseType)
        {
            for (var t = type.BaseType; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, baseType)) return true;
            }
            return false;
        }

        private static TypeModel Model(INamedTypeSymbol type, WireTypeKind kind, EquatableArray<MemberModel> members, int slotCount,
            EquatableArray<string> constructorArguments, EquatableArray<UnionCaseModel> cases, WireTypeClassifier classifier)
        {
            string fullName = WireTypeNames.Of(type);
            string ownFormatter = kind == WireTypeKind.UnmanagedImage
                ? WireTypeClassifier.UnmanagedImageFormatter(type)
                : $"new {fullName}.{WireEmitter.FormatterClassName}()";
            var registrations = classifier.Registrations
                .Where(r => r.TypeName != fullName)
                .Concat(new[] { new RegistrationModel(fullName, ownFormatter) })
                .OrderBy(r => r.TypeName, System.StringComparer.Ordinal)
                .ToEquatableArray();

            var containing = new List<string>();
            for (var t = type.ContainingType; t is not null; t = t.ContainingType) containing.Insert(0, DeclarationKeyword(t) + " " + t.Name);
            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : "";
            string hint = fullName.Replace("global::", "").Replace('<', '_').Replace('>', '_').Replace(',', '_').Replace(' ', '_') + ".Wire.g.cs";

            return new TypeModel(ns, containing.ToEquatableArray(), DeclarationKeyword(type), type.Name, fullName, type.IsValueType, kind,
                members, slotCount, constructorArguments, cases, registrations, hint);
        }

        private static string DeclarationKeyword(INamedTypeSymbol type)
        {
            if (type.TypeKind == TypeKind.Interface) return "partial interface";
            if (type.IsRecord) return type.IsValueType ? "partial record struct" : "partial record";
            return type.IsValueType ? "partial struct" : "partial class";
        }
    }
}
