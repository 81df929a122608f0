namespace Iridium.Cli.Tests;

/// <summary>A fresh directory under the system temp directory, deleted with everything in it.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("iridium-cli-test-").FullName;

    public string File(string name, string contents)
    {
        string path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, contents);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
