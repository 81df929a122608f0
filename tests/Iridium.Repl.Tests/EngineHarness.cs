using Iridium.Repl.Engine;
using Iridium.Repl.Programs;
using Iridium.Vm;

namespace Iridium.Repl.Tests;

/// <summary>A session plus its recording terminal and a scratch directory for program files.</summary>
internal sealed class EngineHarness : IDisposable
{
    public EngineHarness(ReplSessionOptions? options = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("iridium-repl-test-").FullName;
        Session = new ReplSession(Terminal, options ?? new ReplSessionOptions { Files = new LocalProgramFiles(), Processes = new ProcessRuntime(new ProcessLimits { Schedulers = 2 }) });
    }

    public RecordingTerminal Terminal { get; } = new();
    public ReplSession Session { get; }
    public string Directory { get; }

    /// <summary>Writes a program file in the scratch directory and returns its full path.</summary>
    public string WriteFile(string name, string text)
    {
        string path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs the lines and returns what they printed.</summary>
    public string Run(params string[] lines)
    {
        Terminal.Clear();
        foreach (var line in lines) Session.ExecuteAsync(line).GetAwaiter().GetResult();
        return Terminal.Text;
    }

    public ReplOutcome RunOne(string line) => Session.ExecuteAsync(line).GetAwaiter().GetResult();

    public void Dispose()
    {
        Session.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
