using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace Iridium.Generators.Wire
{
    /// <summary>
    /// Computes the CLR sequential layout of an unmanaged struct (spec 2.3): each field at the
    /// next multiple of its alignment, size rounded up to the largest alignment. The padding
    /// found is written as zero by the runtime's UnmanagedFormatter. Returns false whenever the
    /// layout is not certain (explicit or auto layout, Pack/Size, fixed buffers, unknown types);
    /// the runtime then copies the image as it is. The runtime also re-checks the size.
    /// </summary>
    internal static class StructLayoutCalculator
    {
        internal readonly struct Layout
        {
            public Layout(int size, int alignment, List<int> padding)
            {
                Size = size;
                Alignment = alignment;
                Padding = padding;
            }

            public int Size { get; }
            public int Alignment { get; }
            /// <summary>Pairs of (offset, length).</summary>
            public List<int> Padding { get; }
        }

        public static bool TryCompute(ITypeSymbol type, out Layout layout) => TryCompute(type, 0, out layout);

        private static bool TryCompute(ITypeSymbol type, int depth, out Layout layout)
        {
            layout = default;
            if (depth > 16) return false;
            int primitive = PrimitiveSize(type);
            if (primitive > 0)
            {
                layout = new Layout(primitive, primitive, new List<int>());
                return true;
            }
            switch (type.SpecialType)
            {
                case SpecialType.System_Decimal:
                    layout = new Layout(16, 8, new List<int>());
                    return true;
            }
            if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying }) return TryCompute(underlying, depth + 1, out layout);
            if (type is not INamedTypeSymbol named || named.TypeKind != TypeKind.Struct) return false;

            switch (WireTypeNames.DefinitionName(named))
            {
                case "System.Guid": layout = new Layout(16, 4, new List<int>()); return true;
                case "System.DateTime":
                case "System.TimeSpan":
                case "System.TimeOnly": layout = new Layout(8, 8, new List<int>()); return true;
                case "System.DateOnly": layout = new Layout(4, 4, new List<int>()); return true;
                case "System.Half": layout = new Layout(2, 2, new List<int>()); return true;
                case "System.Int128":
                case "System.UInt128": layout = new Layout(16, 16, new List<int>()); return true;
                case "System.Nullable`1": return TryComputeNullable(named.TypeArguments[0], depth, out layout);
            }
            string ns = named.ContainingNamespace?.ToDisplayString() ?? "";
            if (ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal)) return false;
            if (!IsPlainSequential(named)) return false;

            var fields = named.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToList();
            int offset = 0, alignment = 1;
            var padding = new List<int>();
            foreach (var field in fields)
            {
                if (field.IsFixedSizeBuffer || !TryCompute(field.Type, depth + 1, out var inner)) return false;
                int aligned = Align(offset, inner.Alignment);
                AddPadding(padding, offset, aligned - offset);
                for (int i = 0; i < inner.Padding.Count; i += 2) AddPadding(padding, aligned + inner.Padding[i], inner.Padding[i + 1]);
                offset = aligned + inner.Size;
                if (inner.Alignment > alignment) alignment = inner.Alignment;
            }
            // An empty struct still takes one byte.
            int size = fields.Count == 0 ? 1 : Align(offset, alignment);
            AddPadding(padding, offset, size - offset);
            if (fields.Count == 0) padding.Clear();
            layout = new Layout(size, alignment, padding);
            return true;
        }

        private static bool TryComputeNullable(ITypeSymbol valueType, int depth, out Layout layout)
        {
            layout = default;
            if (!TryCompute(valueType, depth + 1, out var inner)) return false;
            int offset = Align(1, inner.Alignment);
            var padding = new List<int>();
            AddPadding(padding, 1, offset - 1);
            for (int i = 0; i < inner.Padding.Count; i += 2) AddPadding(padding, offset + inner.Padding[i], inner.Padding[i + 1]);
            layout = new Layout(offset + inner.Size, inner.Alignment, padding);
            return true;
        }

        private static bool IsPlainSequential(INamedTypeSymbol type)
        {
            foreach (var attribute in type.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() != "System.Runtime.InteropServices.StructLayoutAttribute") return false;
                if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is int kind && kind != (int)LayoutKind.Sequential) return false;
                if (attribute.NamedArguments.Any(a => (a.Key == "Pack" || a.Key == "Size") && a.Value.Value is int v && v != 0)) return false;
            }
            return true;
        }

        private static int PrimitiveSize(ITypeSymbol type)
        {
            switch (type.SpecialType)
            {
                case SpecialType.System_Boolean:
                case SpecialType.System_Byte:
                case SpecialType.System_SByte: return 1;
                case SpecialType.System_Char:
                case SpecialType.System_Int16:
                case SpecialType.System_UInt16: return 2;
                case SpecialType.System_Int32:
                case SpecialType.System_UInt32:
                case SpecialType.System_Single: return 4;
                case SpecialType.System_Int64:
                case SpecialType.System_UInt64:
                case SpecialType.System_Double:
                case SpecialType.System_IntPtr:
                case SpecialType.System_UIntPtr: return 8;
                default: return 0;
            }
        }

        private static int Align(int offset, int alignment) => (offset + alignment - 1) / alignment * alignment;

        private static void AddPadding(List<int> padding, int offset, int length)
        {
            if (length <= 0) return;
            int count = padding.Count;
            // Merge with the previous range when adjacent, so the list stays short.
            if (count >= 2 && padding[count - 2] + padding[count - 1] == offset)
            {
                padding[count - 1] += length;
                return;
            }
            padding.Add(offset);
            padding.Add(length);
        }
    }
}
