using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Iridium.Generators.Wire;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Iridium.Wire.Tests.Vectors;

/// <summary>
/// The vectors' own type declarations, compiled: one in-memory compilation holds every entry's
/// csharp_declaration, unchanged except `using MemoryPack;` becoming `using Iridium.Wire;`, in
/// its own namespace, plus a probe class per entry that serializes and deserializes its
/// csharp_value as its type. WireGenerator runs over it exactly as in a consumer build.
/// </summary>
public sealed class VectorAssembly
{
    private const string MemoryPackHeader = "using MemoryPack;\nusing System;\nusing System.Collections.Generic;\n";

    private readonly Assembly _assembly;

    private VectorAssembly(Assembly assembly, ImmutableArray<Diagnostic> generatorDiagnostics)
    {
        _assembly = assembly;
        GeneratorDiagnostics = generatorDiagnostics;
    }

    public static VectorAssembly Instance => s_instance.Value;

    private static readonly Lazy<VectorAssembly> s_instance = new(() => Build(Vector.All));

    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    public static string NamespaceOf(int index) => "Vector" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The source for one entry, as a consumer would write it after porting from MemoryPack.</summary>
    public static string SourceFor(Vector vector, int index)
    {
        string header = (MemoryPackHeader + "using System.Linq;\n").Replace("using MemoryPack;", "using Iridium.Wire;");
        string declaration = vector.Declaration.Replace("using MemoryPack;", "using Iridium.Wire;");
        var sb = new StringBuilder();
        sb.Append(header);
        sb.Append("namespace ").Append(NamespaceOf(index)).Append(";\n\n");
        sb.Append(declaration).Append('\n');
        sb.Append("public static class WireProbe\n{\n");
        if (!vector.Throws)
        {
            sb.Append($"    public static object? Value() => ({vector.Type})({vector.Value});\n");
            sb.Append($"    public static byte[] Serialize(WireSerializerOptions options) => WireSerializer.Serialize<{vector.Type}>({vector.Value}, options);\n");
        }
        sb.Append($"    public static object? Deserialize(byte[] bytes, WireSerializerOptions options) => WireSerializer.Deserialize<{vector.Type}>(bytes, options);\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    public static VectorAssembly Build(IReadOnlyList<Vector> vectors)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = vectors.Select((v, i) => CSharpSyntaxTree.ParseText(SourceFor(v, i), parse, path: $"{NamespaceOf(i)}.cs", encoding: Encoding.UTF8));
        var compilation = CSharpCompilation.Create(
            "Iridium.Wire.VectorProbes",
            trees,
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        var driver = CSharpGeneratorDriver.Create([new WireGenerator().AsSourceGenerator()], parseOptions: parse);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);

        using var image = new MemoryStream();
        var emit = output.Emit(image);
        var errors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (!emit.Success)
        {
            throw new InvalidOperationException("Vector probes do not compile:\n" + string.Join("\n", errors.Take(30)));
        }
        // Loaded into the default context so it shares this process's Iridium.Wire (one formatter registry).
        return new VectorAssembly(Assembly.Load(image.ToArray()), generatorDiagnostics);
    }

    private static IEnumerable<MetadataReference> References()
    {
        var tpa = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return tpa.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Append(typeof(WireSerializer).Assembly.Location)
            .Distinct()
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    public object? Value(int index) => Call(index, "Value");

    public byte[] Serialize(int index, WireSerializerOptions options) => (byte[])Call(index, "Serialize", options)!;

    public object? Deserialize(int index, byte[] bytes, WireSerializerOptions options) => Call(index, "Deserialize", bytes, options);

    private object? Call(int index, string method, params object[] arguments)
    {
        var probe = _assembly.GetType(NamespaceOf(index) + ".WireProbe", throwOnError: true)!;
        try
        {
            return probe.GetMethod(method)!.Invoke(null, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
