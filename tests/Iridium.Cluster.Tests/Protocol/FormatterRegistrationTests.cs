using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Iridium.Cluster.Tests.Protocol;

/// <summary>
/// No cluster message may reach MemoryPack's reflection fallback, which Native AOT does not
/// support reliably: every type reachable from the IClusterMessage union (cases, member types,
/// list element types, enums) must be registered by the time FrameCodec can be used. Checked in a
/// fresh load of Iridium.Cluster and MemoryPack.Core, where nothing else has touched MemoryPack's
/// registry, so only FrameCodec's own start-up can have registered them.
/// </summary>
public class FormatterRegistrationTests
{
    [Fact]
    public void EveryTypeReachableFromTheUnionIsRegisteredBeforeTheFirstFrame()
    {
        var context = new FreshContext();
        try
        {
            Assembly cluster = context.LoadFromAssemblyName(new AssemblyName("Iridium.Cluster"));
            Assembly memoryPack = context.LoadFromAssemblyName(new AssemblyName("MemoryPack.Core"));
            RuntimeHelpers.RunClassConstructor(cluster.GetType("Iridium.Cluster.Protocol.FrameCodec", throwOnError: true)!.TypeHandle);

            MethodInfo isRegistered = memoryPack.GetType("MemoryPack.MemoryPackFormatterProvider", throwOnError: true)!.GetMethod("IsRegistered")!;
            var reachable = Reachable(cluster.GetType("Iridium.Cluster.Protocol.IClusterMessage", throwOnError: true)!);
            Assert.Contains(reachable, t => t.Name == "MemberStatusRecord");
            Assert.Contains(reachable, t => t.Name == "List`1");

            var missing = reachable.Where(t => !(bool)isRegistered.MakeGenericMethod(t).Invoke(null, null)!).Select(t => t.ToString());
            Assert.Empty(missing);
        }
        finally
        {
            context.Unload();
        }
    }

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
            if (type.GetCustomAttributesData().Any(a => a.AttributeType.Name == "MemoryPackableAttribute"))
            {
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (property.GetCustomAttributesData().Any(a => a.AttributeType.Name == "MemoryPackIgnoreAttribute")) continue;
                    pending.Push(property.PropertyType);
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
