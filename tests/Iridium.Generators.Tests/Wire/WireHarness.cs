using System.Collections.Immutable;
using Iridium.Generators.Wire;
using Iridium.Wire;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Iridium.Generators.Tests.Wire;

/// <summary>GeneratorHarness plus a reference to Iridium.Wire, for sources that use [MemoryPackable].</summary>
internal static class WireHarness
{
    public const string Usings = "using System;\nusing System.Collections.Generic;\nusing Iridium.Wire;\n";

    public static CSharpCompilation CreateCompilation(params string[] sources)
    {
        var compilation = GeneratorHarness.CreateCompilation(sources.Select(s => Usings + s).ToArray());
        // As the SDK does by default (NoWarn 1701;1702): Iridium.Wire is built for net9.0 and the
        // test host may run a newer runtime, whose reference versions differ.
        compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
            new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress }));
        string wire = typeof(WireSerializer).Assembly.Location;
        bool present = compilation.References.OfType<PortableExecutableReference>().Any(r => string.Equals(r.FilePath, wire, StringComparison.OrdinalIgnoreCase));
        return present ? compilation : compilation.AddReferences(MetadataReference.CreateFromFile(wire));
    }

    public static (GeneratorDriver Driver, Compilation Output, ImmutableArray<Diagnostic> Diagnostics) Run(params string[] sources)
        => GeneratorHarness.Run(new WireGenerator(), CreateCompilation(sources));

    /// <summary>
    /// The text a diagnostic highlights. Generator diagnostics come from cached values, so their
    /// locations name a file path rather than holding a syntax tree: find the tree by path.
    /// </summary>
    public static string SpanText(Diagnostic diagnostic, Compilation compilation)
    {
        string path = diagnostic.Location.GetLineSpan().Path;
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return tree.GetText().ToString(diagnostic.Location.SourceSpan);
    }
}
