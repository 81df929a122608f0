using System.Reflection;
using Iridium.Generators.Wire;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Iridium.Generators.Tests.Wire;

/// <summary>Generated source: clean compile, checked-in baselines, incremental caching, a symbol-free model.</summary>
public sealed class WireGeneratorTests
{
    internal const string Messages = """
        namespace Cluster
        {
            [MemoryPackable]
            [MemoryPackUnion(0, typeof(Hello))]
            [MemoryPackUnion(1000, typeof(Heartbeat))]
            public partial interface IMessage { }

            [MemoryPackable]
            public partial class Hello : IMessage
            {
                public string? Alias { get; set; }
                public ushort ListenPort { get; set; }
                public Guid NodeId { get; set; }
                public List<int?>? Ports { get; set; }
                public Dictionary<string, long>? Versions { get; set; }
            }

            [MemoryPackable]
            public partial record Heartbeat(long Sequence, DateTime At) : IMessage;

            [MemoryPackable(GenerateType.VersionTolerant)]
            public partial class Config
            {
                [MemoryPackOrder(0)] public string? Name { get; set; }
                [MemoryPackOrder(2)] public int Replicas { get; init; }
            }

            [MemoryPackable(GenerateType.CircularReference)]
            public partial class Peer
            {
                [MemoryPackOrder(0)] public Peer? Next { get; set; }
            }

            [MemoryPackable]
            public partial struct Sample { public int A; public double B; public bool C; }

            public static class Use
            {
                public static byte[] Go() => WireSerializer.Serialize(new[] { "a" });
            }
        }
        """;

    [Fact]
    public void Fixed_size_objects_of_every_member_count_compile_without_warnings()
    {
        // Objects whose members are all fixed-size are written through one reserved span; the
        // emitter must also cope with no members (a one-byte header) and with one member.
        const string source = """
            namespace Fixed
            {
                [MemoryPackable] public partial class None { }
                [MemoryPackable] public partial class One { public long A { get; set; } }
                [MemoryPackable] public partial class Three { public long A { get; set; } public Guid B { get; set; } public byte C; }
            }
            """;
        var (_, output, diagnostics) = WireHarness.Run(source);
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompileWarnings(output));
    }

    [Fact]
    public void Generated_code_compiles_without_warnings()
    {
        var (_, output, diagnostics) = WireHarness.Run(Messages);
        Assert.Empty(diagnostics);
        Assert.Empty(GeneratorHarness.CompileWarnings(output));
    }

    [Fact]
    public void Generated_sources_match_baselines()
    {
        var (driver, _, _) = WireHarness.Run(Messages);
        var generated = driver.GetRunResult().Results.Single().GeneratedSources;
        Assert.Equal(
            ["Cluster.Config.Wire.g.cs", "Cluster.Heartbeat.Wire.g.cs", "Cluster.Hello.Wire.g.cs", "Cluster.IMessage.Wire.g.cs", "Cluster.Peer.Wire.g.cs", "Iridium.Wire.Registrations.g.cs"],
            generated.Select(s => s.HintName).Order(StringComparer.Ordinal));
        foreach (var source in generated)
        {
            GeneratorHarness.AssertBaseline(nameof(Generated_sources_match_baselines), source.HintName, source.SourceText.ToString());
        }
    }

    [Fact]
    public void Output_is_independent_of_file_order()
    {
        string[] parts = Messages.Split("public static class Use");
        var (first, _, _) = WireHarness.Run(Messages, "namespace Other { [MemoryPackable] public partial class Extra { public int X; } }");
        var (second, _, _) = WireHarness.Run("namespace Other { [MemoryPackable] public partial class Extra { public int X; } }", Messages);
        static string Registrations(GeneratorDriver d) => d.GetRunResult().Results.Single().GeneratedSources
            .Single(s => s.HintName == "Iridium.Wire.Registrations.g.cs").SourceText.ToString();
        Assert.Equal(Registrations(first), Registrations(second));
        Assert.Equal(2, parts.Length);
    }

    [Fact]
    public void Unrelated_edit_leaves_every_step_cached()
    {
        var compilation = WireHarness.CreateCompilation(Messages);
        var driver = GeneratorHarness.CreateDriver(new WireGenerator()).RunGenerators(compilation);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Cluster { public static class Unrelated { public static int X => 1; } }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);

        foreach (var step in new[] { WireGenerator.ParseStep, WireGenerator.ModelStep, WireGenerator.RegistrationStep })
        {
            var reasons = GeneratorHarness.StepReasons(driver, step).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {r}"));
        }
    }

    [Fact]
    public void Editing_one_type_regenerates_only_its_model()
    {
        var compilation = WireHarness.CreateCompilation(Messages, "namespace Other { [MemoryPackable] public partial class Extra { public int X; } }");
        var driver = GeneratorHarness.CreateDriver(new WireGenerator()).RunGenerators(compilation);
        var oldTree = compilation.SyntaxTrees.Last();
        var newTree = CSharpSyntaxTree.ParseText(WireHarness.Usings + "namespace Other { [MemoryPackable] public partial class Extra { public int X; public int Y; } }", GeneratorHarness.ParseOptions, path: oldTree.FilePath);
        driver = driver.RunGenerators(compilation.ReplaceSyntaxTree(oldTree, newTree));

        var reasons = GeneratorHarness.StepReasons(driver, WireGenerator.ModelStep).ToList();
        Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(6, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void Model_types_hold_no_symbols_syntax_or_compilations()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SemanticModel), typeof(SyntaxTree), typeof(Location) };
        var modelTypes = typeof(WireGenerator).Assembly.GetTypes()
            .Where(t => t.Namespace == "Iridium.Generators.Wire.Model" || t.Name is "CallSiteResult")
            .ToList();
        Assert.NotEmpty(modelTypes);
        var seen = new HashSet<Type>();
        foreach (var type in modelTypes) Walk(type, seen, forbidden, type.Name);
    }

    private static void Walk(Type type, HashSet<Type> seen, Type[] forbidden, string path)
    {
        if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string)) return;
        Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}");
        foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : Type.EmptyTypes) Walk(argument, seen, forbidden, path + "<" + argument.Name + ">");
        if (type.Namespace?.StartsWith("Iridium", StringComparison.Ordinal) != true) return;
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            // DiagnosticInfo carries a DiagnosticDescriptor: a static, equatable value, not a symbol.
            if (field.FieldType == typeof(DiagnosticDescriptor)) continue;
            Walk(field.FieldType, seen, forbidden, path + "." + field.Name);
        }
    }
}
