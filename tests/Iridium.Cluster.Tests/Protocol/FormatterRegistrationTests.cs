using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Iridium.Cluster.Tests.Protocol;

/// <summary>
/// No cluster message may reach MemoryPack's reflection fallback, which Native AOT does not
/// support reliably. A node registers every type reachable from the IClusterMessage union (cases,
/// member types, list element types, enums) at start; a client registers only the union, and each
/// case registers what it is made of in its static constructor, which runs before the union
/// formatter first reads or writes it. Both are checked in a fresh load of Iridium.Cluster and
/// MemoryPack.Core, where nothing else has touched MemoryPack's registry.
/// </summary>
public class FormatterRegistrationTests
{
    [Fact]
    public void ANodeRegistersEveryTypeReachableFromTheUnionAtStart()
    {
        InFreshLoad((cluster, isRegistered) =>
        {
            RuntimeHelpers.RunClassConstructor(cluster.GetType("Iridium.Cluster.Protocol.FrameCodec", throwOnError: true)!.TypeHandle);
            cluster.GetType("Iridium.Cluster.Protocol.MessageFormatters", throwOnError: true)!.GetMethod("Register")!.Invoke(null, null);

            var reachable = Reachable(cluster.GetType("Iridium.Cluster.Protocol.IClusterMessage", throwOnError: true)!);
            Assert.Contains(reachable, t => t.Name == "MemberStatusRecord");
            Assert.Contains(reachable, t => t.Name == "CheckedText");
            Assert.Contains(reachable, t => t.Name == "List`1");
            Assert.Empty(reachable.Where(t => !isRegistered(t)).Select(t => t.ToString()));
        });
    }

    [Fact]
    public void EachMessageTypeRegistersWhatItIsMadeOfBeforeItsFirstUse()
    {
        InFreshLoad((cluster, isRegistered) =>
        {
            var union = cluster.GetType("Iridium.Cluster.Protocol.IClusterMessage", throwOnError: true)!;
            RuntimeHelpers.RunClassConstructor(cluster.GetType("Iridium.Cluster.Protocol.FrameCodec", throwOnError: true)!.TypeHandle);
            Assert.True(isRegistered(union), "the union is registered with the codec");

            var cases = union.GetCustomAttributesData().Where(a => a.AttributeType.Name == "MemoryPackUnionAttribute")
                .Select(a => (Type)a.ConstructorArguments[1].Value!).ToArray();
            Assert.Contains(cases, t => t.Name == "MembersView");
            foreach (var messageType in cases)
            {
                // What MemoryPack does on the first frame of this type: the type's own static
                // constructor, then those of the packable types it reads or writes.
                var reachable = Reachable(messageType);
                foreach (var type in reachable.Where(IsPackable)) RuntimeHelpers.RunClassConstructor(type.TypeHandle);
                Assert.Empty(reachable.Where(t => !isRegistered(t)).Select(t => $"{t} (in {messageType.Name})"));
            }
        });
    }

    [Fact]
    public void EveryFormatterTheRegistryIsReadForIsRegisteredByTheCodec()
    {
        // In the published binary the registrations MemoryPack's generator writes compile to nothing
        // (src/Iridium.Cli/Trimming/MemoryPack.Substitutions.xml): there the registry holds only
        // what the codec registers by value, so every other type a message is made of must be one
        // MemoryPack writes without a registry lookup.
        InFreshLoad((cluster, isRegistered) =>
        {
            RuntimeHelpers.RunClassConstructor(cluster.GetType("Iridium.Cluster.Protocol.FrameCodec", throwOnError: true)!.TypeHandle);
            var union = cluster.GetType("Iridium.Cluster.Protocol.IClusterMessage", throwOnError: true)!;
            var checkedText = cluster.GetType("Iridium.Cluster.Protocol.CheckedText", throwOnError: true)!;
            Type[] byValue = [union, checkedText];
            Assert.All(byValue, t => Assert.True(isRegistered(t), $"{t} is registered by the codec"));

            var reachable = Reachable(union);
            Assert.Contains(reachable, t => t.Name == "List`1");
            Assert.Empty(reachable.Where(t => !byValue.Contains(t) && !WrittenWithoutTheRegistry(t)).Select(t => t.ToString()));
        });
    }

    /// <summary>
    /// Whether MemoryPack's generated code reads and writes a member of this type without looking a
    /// formatter up: a packable type through its generated static methods, an unmanaged one (numbers,
    /// enums, their nullables) and an array of those as raw bytes, a list of packable records
    /// through ListFormatter's packable helpers.
    /// </summary>
    private static bool WrittenWithoutTheRegistry(Type type)
        => IsPackable(type)
           || IsUnmanaged(type)
           || (type.IsSZArray && IsUnmanaged(type.GetElementType()!))
           || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && IsPackable(type.GetGenericArguments()[0]));

    private static bool IsUnmanaged(Type type)
        => !type.IsGenericTypeDefinition
           && !(bool)typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!.MakeGenericMethod(type).Invoke(null, null)!;

    /// <summary>Runs <paramref name="check"/> on Iridium.Cluster loaded anew, with MemoryPack's IsRegistered&lt;T&gt; for any type.</summary>
    private static void InFreshLoad(Action<Assembly, Func<Type, bool>> check)
    {
        var context = new FreshContext();
        try
        {
            Assembly cluster = context.LoadFromAssemblyName(new AssemblyName("Iridium.Cluster"));
            Assembly memoryPack = context.LoadFromAssemblyName(new AssemblyName("MemoryPack.Core"));
            MethodInfo isRegistered = memoryPack.GetType("MemoryPack.MemoryPackFormatterProvider", throwOnError: true)!.GetMethod("IsRegistered")!;
            check(cluster, t => (bool)isRegistered.MakeGenericMethod(t).Invoke(null, null)!);
        }
        finally
        {
            context.Unload();
        }
    }

    private static bool IsPackable(Type type) => type.GetCustomAttributesData().Any(a => a.AttributeType.Name == "MemoryPackableAttribute");

    /// <summary>The union, its cases (from the [MemoryPackUnion] attributes) and, recursively, the types of their serialized members.</summary>
    private static HashSet<Type> Reachable(Type union)
    {
        var found = new HashSet<Type>();
        var pending = new Stack<Type>([union]);
        while (pending.TryPop(out var type))
        {
            if (!found.Add(type)) continue;
            foreach (var attribute in type.GetCustomAttributesData().Where(a => a.AttributeType.Name == "MemoryPackUnionAttribute"))
                pending.Push((Type)attribute.ConstructorArguments[1].Value!);
            if (type.IsGenericType)
                foreach (var argument in type.GetGenericArguments()) pending.Push(argument);
            if (type.IsArray) pending.Push(type.GetElementType()!);
            if (IsPackable(type))
            {
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.GetCustomAttributesData().Any(a => a.AttributeType.Name == "MemoryPackIgnoreAttribute")) continue;
                    pending.Push(property.PropertyType);
                }
                // Private members MemoryPack is told to include (the CheckedText behind each string property).
                foreach (var field in type.GetFields(BindingFlags.NonPublic | BindingFlags.Instance))
                {
                    if (field.GetCustomAttributesData().Any(a => a.AttributeType.Name == "MemoryPackIncludeAttribute")) pending.Push(field.FieldType);
                }
            }
        }
        return found;
    }

    /// <summary>Loads Iridium.Cluster and MemoryPack.Core anew from the test's directory; everything else is shared.</summary>
    private sealed class FreshContext() : AssemblyLoadContext("fresh-memorypack", isCollectible: true)
    {
        protected override Assembly? Load(AssemblyName name)
            => name.Name is "Iridium.Cluster" or "MemoryPack.Core"
                ? LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, name.Name + ".dll"))
                : null;
    }
}
