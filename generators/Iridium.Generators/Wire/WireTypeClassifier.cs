using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Iridium.Generators.Wire.Model;
using Microsoft.CodeAnalysis;

namespace Iridium.Generators.Wire
{
    /// <summary>
    /// Decides how a member or top-level type is encoded, and collects the formatters that closed
    /// generic types (List&lt;T&gt;, T[], Nullable&lt;T&gt;, Dictionary&lt;K,V&gt;, tuples, ...),
    /// enums and plain unmanaged structs need registered. Symbols are used only here, inside the
    /// parser's transform; the output is strings.
    /// </summary>
    internal sealed class WireTypeClassifier
    {
        private const string R = WireTypeNames.Runtime;

        private readonly SortedDictionary<string, RegistrationModel> _registrations = new SortedDictionary<string, RegistrationModel>(System.StringComparer.Ordinal);

        public IEnumerable<RegistrationModel> Registrations => _registrations.Values;

        /// <summary>Classifies <paramref name="type"/>; false (with the offending type's name) when it cannot be serialized.</summary>
        public bool TryClassify(ITypeSymbol type, out MemberCodec codec, out string unsupported)
        {
            unsupported = "";
            codec = MemberCodec.Formatter;
            if (!Visit(type, 0, ref unsupported)) return false;
            codec = CodecOf(type);
            return true;
        }

        private static MemberCodec CodecOf(ITypeSymbol type)
        {
            if (type.SpecialType == SpecialType.System_String) return MemberCodec.String;
            if (type.TypeKind == TypeKind.Enum || IsBuiltinUnmanaged(type)) return MemberCodec.Unmanaged;
            return MemberCodec.Formatter;
        }

        private bool Visit(ITypeSymbol type, int depth, ref string unsupported)
        {
            if (depth > 32) return Fail(type, ref unsupported);
            if (type.SpecialType == SpecialType.System_String || IsBuiltinUnmanaged(type)) return true;

            switch (type)
            {
                case IArrayTypeSymbol array:
                    if (!array.IsSZArray) return Fail(type, ref unsupported);
                    if (array.ElementType.SpecialType == SpecialType.System_Byte) return true;
                    if (!Visit(array.ElementType, depth + 1, ref unsupported)) return false;
                    Add(type, $"new {R}ArrayFormatter<{Name(array.ElementType)}>()");
                    return true;

                case INamedTypeSymbol { TypeKind: TypeKind.Enum }:
                    Add(type, $"new {R}UnmanagedFormatter<{Name(type)}>()");
                    return true;

                case INamedTypeSymbol named:
                    return VisitNamed(named, depth, ref unsupported);

                default:
                    return Fail(type, ref unsupported);
            }
        }

        private bool VisitNamed(INamedTypeSymbol type, int depth, ref string unsupported)
        {
            string definition = WireTypeNames.DefinitionName(type);
            if (definition == "System.Version" || definition == "System.Uri") return true;

            if (WireTypeNames.HasAttribute(type, WireTypeNames.MemoryPackable) || WireTypeNames.HasAttribute(type, WireTypeNames.MemoryPackUnion))
            {
                // Its own generated code registers it; generic serializable types are not supported.
                return !type.IsGenericType || Fail(type, ref unsupported);
            }

            if (type.IsGenericType)
            {
                foreach (var argument in type.TypeArguments)
                {
                    if (!Visit(argument, depth + 1, ref unsupported)) return false;
                }
                string? formatter = GenericFormatter(type, definition);
                if (formatter is null) return Fail(type, ref unsupported);
                Add(type, formatter);
                return true;
            }

            if (type.TypeKind == TypeKind.Struct && type.IsUnmanagedType)
            {
                Add(type, UnmanagedImageFormatter(type));
                return true;
            }
            return Fail(type, ref unsupported);
        }

        /// <summary>The runtime formatter for a closed generic type, or null when there is none.</summary>
        private static string? GenericFormatter(INamedTypeSymbol type, string definition)
        {
            var args = type.TypeArguments;
            string self = Name(type);
            string a0 = Name(args[0]);
            switch (definition)
            {
                case "System.Nullable`1":
                    return args[0].IsUnmanagedType
                        ? $"new {R}UnmanagedNullableFormatter<{a0}>()"
                        : $"new {R}NullableFormatter<{a0}>()";
                case "System.Collections.Generic.List`1": return $"new {R}ListFormatter<{a0}>()";
                case "System.Collections.Generic.Queue`1": return $"new {R}QueueFormatter<{a0}>()";
                case "System.Collections.Generic.Stack`1": return $"new {R}StackFormatter<{a0}>()";
                case "System.Collections.Generic.HashSet`1":
                case "System.Collections.Generic.SortedSet`1":
                case "System.Collections.Generic.LinkedList`1":
                case "System.Collections.ObjectModel.Collection`1":
                case "System.Collections.ObjectModel.ObservableCollection`1":
                    return $"new {R}AddCollectionFormatter<{self}, {a0}>()";
                case "System.Collections.Generic.IEnumerable`1":
                case "System.Collections.Generic.ICollection`1":
                case "System.Collections.Generic.IList`1":
                case "System.Collections.Generic.IReadOnlyCollection`1":
                case "System.Collections.Generic.IReadOnlyList`1":
                    return $"new {R}ListInterfaceFormatter<{self}, {a0}>()";
                case "System.Collections.Generic.ISet`1":
                case "System.Collections.Generic.IReadOnlySet`1":
                    return $"new {R}SetInterfaceFormatter<{self}, {a0}>()";
                case "System.Collections.Generic.Dictionary`2": return $"new {R}DictionaryFormatter<{a0}, {Name(args[1])}>()";
                case "System.Collections.Generic.SortedDictionary`2":
                case "System.Collections.Generic.SortedList`2":
                case "System.Collections.Concurrent.ConcurrentDictionary`2":
                    return $"new {R}AddDictionaryFormatter<{self}, {a0}, {Name(args[1])}>()";
                case "System.Collections.Generic.IDictionary`2":
                case "System.Collections.Generic.IReadOnlyDictionary`2":
                    return $"new {R}DictionaryInterfaceFormatter<{self}, {a0}, {Name(args[1])}>()";
                case "System.Collections.Generic.KeyValuePair`2": return $"new {R}KeyValuePairFormatter<{a0}, {Name(args[1])}>()";
            }
            if (definition.StartsWith("System.ValueTuple`", System.StringComparison.Ordinal) && args.Length <= 7)
            {
                return $"new {R}ValueTupleFormatter<{string.Join(", ", args.Select(Name))}>()";
            }
            return null;
        }

        /// <summary>UnmanagedFormatter for a struct image, with its padding when the layout is known.</summary>
        public static string UnmanagedImageFormatter(ITypeSymbol type)
        {
            if (StructLayoutCalculator.TryCompute(type, out var layout) && layout.Padding.Count > 0)
            {
                string padding = string.Join(", ", layout.Padding.Select(p => p.ToString(CultureInfo.InvariantCulture)));
                return $"new {R}UnmanagedFormatter<{Name(type)}>({layout.Size.ToString(CultureInfo.InvariantCulture)}, new int[] {{ {padding} }})";
            }
            return $"new {R}UnmanagedFormatter<{Name(type)}>()";
        }

        /// <summary>Types the runtime knows without registration and that are dense raw images.</summary>
        public static bool IsBuiltinUnmanaged(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Boolean:
                case SpecialType.System_Char:
                case SpecialType.System_SByte:
                case SpecialType.System_Byte:
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16:
                case SpecialType.System_Int32:
                case SpecialType.System_UInt32:
                case SpecialType.System_Int64:
                case SpecialType.System_UInt64:
                case SpecialType.System_Single:
                case SpecialType.System_Double:
                case SpecialType.System_Decimal:
                case SpecialType.System_IntPtr:
                case SpecialType.System_UIntPtr:
                    return true;
            }
            if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } named) return false;
            switch (WireTypeNames.DefinitionName(named))
            {
                case "System.Guid":
                case "System.DateTime":
                case "System.DateTimeOffset":
                case "System.TimeSpan":
                case "System.DateOnly":
                case "System.TimeOnly":
                case "System.Half":
                case "System.Int128":
                case "System.UInt128":
                case "System.Numerics.Complex":
                    return true;
                default:
                    return false;
            }
        }

        private void Add(ITypeSymbol type, string formatter)
        {
            string name = Name(type);
            if (!_registrations.ContainsKey(name)) _registrations.Add(name, new RegistrationModel(name, formatter));
        }

        private static string Name(ITypeSymbol type) => WireTypeNames.Of(type);

        private static bool Fail(ITypeSymbol type, ref string unsupported)
        {
            if (unsupported.Length == 0) unsupported = type.ToDisplayString();
            return false;
        }
    }
}
