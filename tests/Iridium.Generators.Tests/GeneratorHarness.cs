using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Iridium.Generators.Tests;

/// <summary>
/// Runs a generator over in-memory sources the way the compiler does, and compiles the result,
/// so tests can look at generated text, diagnostics, and whether the output compiles cleanly.
/// </summary>
public static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        // The trusted platform assemblies of the running runtime: enough to compile generated code.
        var tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        return tpa.Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>The global usings the SDK's ImplicitUsings adds; our projects rely on them.</summary>
    public const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static CSharpCompilation CreateCompilation(params string[] sources)
        => CSharpCompilation.Create(
            "GeneratorTestAssembly",
            sources.Prepend(ImplicitUsings).Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(IIncrementalGenerator generator)
        => CSharpGeneratorDriver.Create(
            [generator.AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the driver (for incremental re-runs), the output compilation and generator diagnostics.</summary>
    public static (GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(
        IIncrementalGenerator generator, CSharpCompilation compilation)
    {
        var driver = CreateDriver(generator).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return (driver, output, diagnostics);
    }

    /// <summary>
    /// The source text a generator diagnostic highlights. Generator diagnostics carry a file
    /// location (the model holds no syntax tree), so the text is looked up by path: sources are
    /// named Source{i}.cs in the order given to <see cref="CreateCompilation"/>.
    /// </summary>
    public static string SpanText(Diagnostic diagnostic, Compilation compilation)
    {
        string path = diagnostic.Location.GetLineSpan().Path;
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }

    /// <summary>Compiler diagnostics of the output at warning level or above.</summary>
    public static ImmutableArray<Diagnostic> CompileWarnings(Compilation output)
        => output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    /// <summary>
    /// Compares generated text with a checked-in baseline under Baselines/{test}/{hint}.txt
    /// of this project's source folder. IRIDIUM_UPDATE_BASELINES=1 rewrites the baseline.
    /// </summary>
    public static void AssertBaseline(string test, string hintName, string actual, [CallerFilePath] string callerPath = "")
    {
        // Tests may live in subfolders; baselines are kept at the project root.
        string root = FindProjectRoot(Path.GetDirectoryName(callerPath)!);
        string dir = Path.Combine(root, "Baselines", test);
        string path = Path.Combine(dir, hintName + ".txt");
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("IRIDIUM_UPDATE_BASELINES") == "1")
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"missing baseline {path}; run with IRIDIUM_UPDATE_BASELINES=1 to create it");
        Assert.Equal(File.ReadAllText(path).Replace("\r\n", "\n"), actual);
    }

    private static string FindProjectRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (dir.GetFiles("*.csproj").Length > 0) return dir.FullName;
        }
        return start;
    }

    /// <summary>The reasons recorded for each output of a tracked step on the driver's last run.</summary>
    public static IEnumerable<IncrementalStepRunReason> StepReasons(GeneratorDriver driver, string stepName)
        => driver.GetRunResult().Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(stepName, out var steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty)
            .SelectMany(s => s.Outputs)
            .Select(o => o.Reason);
}
