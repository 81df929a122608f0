using System.Text;
using Iridium.Repl.Engine;
using Iridium.Repl.Programs;
using Iridium.Vm;
using static Iridium.Repl.Tests.TestProcesses;

namespace Iridium.Repl.Tests;

/// <summary>What a newcomer meets in the first hour: clear words, one wording per thing, real line numbers.</summary>
public sealed class FirstHourTests
{
    private const string Forever = "load $0 #1\nload $1 #2\ntop: lt $0 $1\ndjmpe @top\n";

    [Fact]
    public void Continue_AfterClearProgram_HasNothingToContinue()
    {
        using var repl = new EngineHarness(new() { MaxSteps = 1000, Processes = OneThread() });
        string path = repl.WriteFile("forever.iasm", Forever);
        Assert.Contains("STEPS", repl.Run($"!load_file {path}"));
        repl.Run("!clear_program");
        string said = repl.Run("!continue");
        Assert.StartsWith("nothing to continue", said);
        Assert.DoesNotContain("VM stopped", said);
    }

    [Fact]
    public void ASpentStepBudget_IsWordedTheSame_ByLoadFileAndContinue()
    {
        using var repl = new EngineHarness(new() { MaxSteps = 1000, Processes = OneThread() });
        string path = repl.WriteFile("forever.iasm", Forever);
        string loaded = repl.Run($"!load_file {path}").Split('\n')[1];
        string continued = repl.Run("!continue").Split('\n')[0];
        Assert.Equal(ExecutionReport.StepBudgetSpent(1000), loaded);
        Assert.Equal(loaded, continued);
    }

    [Fact]
    public void AScriptLine_IsNamedByItsNumber_AndTheFirstFailureIsKept()
    {
        using var repl = new EngineHarness();
        repl.Session.InputLine = 1;
        repl.Run("load $0 #1");
        Assert.Null(repl.Session.FirstFailure);
        repl.Session.InputLine = 2;
        Assert.Contains("<input>:2:9: error[", repl.Run("load $0 5"));
        repl.Session.InputLine = 3;
        repl.Run("div $0 $1 $2");   // DIVZERO: later, so not the one that counts
        Assert.Equal(new ReplFailure(ReplFailureKind.InvalidProgram), repl.Session.FirstFailure);
    }

    [Fact]
    public void AFaultingLine_IsAFailureOfItsRun()
    {
        using var repl = new EngineHarness();
        repl.Run("div $0 $1 $2");
        Assert.Equal(new ReplFailure(ReplFailureKind.ProgramFailed, VmEventKind.Crash, (int)FaultCode.DivZero), repl.Session.FirstFailure);
    }

    /// <summary>The README's Ctrl-C demo, line for line: a shipped example, interrupted, then resumed.</summary>
    [Fact]
    public async Task TheReadmesCtrlCDemo_IsWhatTheShippedExamplePrints()
    {
        using var repl = new EngineHarness(new() { Processes = OneThread() });
        string path = Path.Combine(AppContext.BaseDirectory, "examples", "forever.iasm");
        using var ctrlC = new CancellationTokenSource();
        var running = repl.Session.ExecuteAsync($"!load_file {path}", ctrlC.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!repl.Terminal.Text.Contains("spinning until Ctrl-C\n") && DateTime.UtcNow < deadline) await Task.Delay(10);
        ctrlC.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(
            $"loaded {path}: 110 bytes, 2 label(s); running\nspinning until Ctrl-C\ninterrupted at pc=106 (DJMPE #106)\n(!continue resumes it)\n",
            repl.Terminal.Text.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ARemoteLoadOfAMissingFile_NamesTheProgramDirectory()
    {
        var root = Directory.CreateTempSubdirectory("iridium-sandbox-test-").FullName;
        try
        {
            var files = new SandboxedProgramFiles(Path.Combine(root, "programs"));
            using var repl = new EngineHarness(new() { Files = files, Processes = OneThread() });
            Assert.Equal($"cannot read examples/fib.iasm: no such file (the server's program directory is {files.Root})\n",
                repl.Run("!load_file examples/fib.iasm").ReplaceLineEndings("\n"));
            Assert.Equal(new ReplFailure(ReplFailureKind.UnreadableFile), repl.Session.FirstFailure);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
