namespace Iridium.Wire;

/// <summary>
/// Encodes and decodes one type. The generator emits one per [MemoryPackable] type; the runtime
/// has generic ones for collections, nullables and tuples, which generated code instantiates.
/// </summary>
public abstract class WireFormatter<T>
{
    public abstract void Serialize(ref WireWriter writer, T? value);

    public abstract T? Deserialize(ref WireReader reader);
}

/// <summary>
/// Implemented by formatters that write a fixed-size raw memory image (spec 2.3). When
/// <see cref="IsDenseImage"/> is true the image has no padding, so arrays of the type can be
/// copied as one block.
/// </summary>
public interface IRawImageFormatter
{
    bool IsDenseImage { get; }
}

/// <summary>
/// The formatter for each type, found statically: no reflection, so it works under Native AOT.
/// Built-in types are known up front; generated [ModuleInitializer]s register the rest.
/// </summary>
public static class WireFormatterProvider<T>
{
    private static WireFormatter<T>? s_formatter = (WireFormatter<T>?)BuiltinFormatters.Create<T>();

    public static bool IsRegistered => s_formatter is not null;

    public static WireFormatter<T> Formatter => s_formatter ?? ThrowMissing();

    internal static void Set(WireFormatter<T> formatter) => s_formatter = formatter;

    private static WireFormatter<T> ThrowMissing()
        => throw new InvalidOperationException(
            $"No Iridium.Wire formatter for {typeof(T)}. Mark the type [MemoryPackable] (and partial), or use it as a member or a WireSerializer type argument in an assembly that references the Iridium.Wire generator.");
}

/// <summary>Registration entry point for generated code.</summary>
public static class WireFormatterProvider
{
    public static void Register<T>(WireFormatter<T> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        WireFormatterProvider<T>.Set(formatter);
    }

    /// <summary>Registers only when nothing is registered yet (closed generic types several assemblies may register).</summary>
    public static void TryRegister<T>(WireFormatter<T> formatter)
    {
        if (!WireFormatterProvider<T>.IsRegistered) Register(formatter);
    }
}
