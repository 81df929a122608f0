namespace Iridium.Generators.Tests;

/// <summary>Finds files of this repository (the tests compile the real VM sources with the generator).</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Iridium.Aot.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("cannot find the repository root (Iridium.Aot.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>The hand-written C# sources of a project folder (bin/ and obj/ excluded).</summary>
    public static IEnumerable<string> Sources(string projectFolder, Func<string, bool>? include = null)
        => Directory.EnumerateFiles(Path.Combine(Root, projectFolder), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") &&
                        !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(p => include?.Invoke(p) ?? true)
            .OrderBy(p => p, StringComparer.Ordinal);
}
