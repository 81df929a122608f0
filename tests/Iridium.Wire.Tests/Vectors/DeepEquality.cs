using System.Collections;
using System.Reflection;

namespace Iridium.Wire.Tests.Vectors;

/// <summary>
/// Structural equality over object graphs for comparing decoded values with the vectors'
/// csharp_value: public fields and properties, sequences element by element, dictionaries in
/// enumeration order, cycles followed once. (Reflection is fine in tests; never in src.)
/// </summary>
public static class DeepEquality
{
    public static bool AreEqual(object? expected, object? actual, out string difference)
    {
        difference = "";
        return Compare(expected, actual, "value", new HashSet<(object, object)>(ReferencePairComparer.Instance), ref difference);
    }

    private static bool Compare(object? expected, object? actual, string path, HashSet<(object, object)> visited, ref string difference)
    {
        if (expected is null || actual is null)
        {
            if (expected is null && actual is null) return true;
            difference = $"{path}: expected {Show(expected)}, got {Show(actual)}";
            return false;
        }
        var type = expected.GetType();
        if (type != actual.GetType())
        {
            difference = $"{path}: expected type {type}, got {actual.GetType()}";
            return false;
        }
        if (expected is DateTime d1 && actual is DateTime d2)
        {
            if (d1.Ticks == d2.Ticks && d1.Kind == d2.Kind) return true;
            difference = $"{path}: expected {d1:O} ({d1.Kind}), got {d2:O} ({d2.Kind})";
            return false;
        }
        if (IsScalar(type))
        {
            if (expected.Equals(actual)) return true;
            difference = $"{path}: expected {Show(expected)}, got {Show(actual)}";
            return false;
        }
        if (!type.IsValueType && !visited.Add((expected, actual))) return true;
        if (expected is IEnumerable e1 && actual is IEnumerable e2)
        {
            var a = e1.Cast<object?>().ToList();
            var b = e2.Cast<object?>().ToList();
            if (a.Count != b.Count)
            {
                difference = $"{path}: expected {a.Count} elements, got {b.Count}";
                return false;
            }
            for (int i = 0; i < a.Count; i++)
            {
                if (!Compare(a[i], b[i], $"{path}[{i}]", visited, ref difference)) return false;
            }
            return true;
        }
        const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
        foreach (var field in type.GetFields(flags))
        {
            if (field.IsDefined(typeof(MemoryPackIgnoreAttribute))) continue;
            if (!Compare(field.GetValue(expected), field.GetValue(actual), path + "." + field.Name, visited, ref difference)) return false;
        }
        foreach (var property in type.GetProperties(flags))
        {
            // Ignored members are not on the wire, so they cannot survive a round trip.
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null || property.IsDefined(typeof(MemoryPackIgnoreAttribute))) continue;
            if (!Compare(property.GetValue(expected), property.GetValue(actual), path + "." + property.Name, visited, ref difference)) return false;
        }
        return true;
    }

    private static bool IsScalar(Type type)
        => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
           || (type.IsValueType && type.Namespace == "System" && !type.IsGenericType)
           || type == typeof(Version) || type == typeof(Uri);

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        _ => value.ToString() ?? "?",
    };

    private sealed class ReferencePairComparer : IEqualityComparer<(object, object)>
    {
        public static readonly ReferencePairComparer Instance = new();

        public bool Equals((object, object) x, (object, object) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((object, object) obj)
            => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
