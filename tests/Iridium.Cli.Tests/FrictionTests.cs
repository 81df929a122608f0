using System.Diagnostics;

namespace Iridium.Cli.Tests;

/// <summary>First-hour rough edges of the command line: each test shows what a newcomer now sees.</summary>
[Collection(EnvironmentCollection.Name)]
public class FrictionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("run", "--max-step", "unknown option '--max-step'; did you mean '--max-steps'?")]
    [InlineData("run", "--state-jsn", "unknown option '--state-jsn'; did you mean '--state-json'?")]
    [InlineData("node", "--max-step", "unknown option '--max-step'; did you mean '--max-steps'?")]
    [InlineData("node", "--hearbeat-ms", "unknown option '--hearbeat-ms'; did you mean '--heartbeat-ms'?")]
    [InlineData("members", "--timeout", "unknown option '--timeout'; did you mean '--timeout-ms'?")]
    [InlineData("run", "--no-such-flag", "option '--no-such-flag' is not recognized")]
    public void AMisspeltOptionGetsTheNearestOne(string command, string option, string expected)
    {
        string[] args = command == "run" ? [command, Hello, option, "5"] : [command, option, "5"];
        var result = CliRunner.Run(args);
        Assert.Equal(ExitCodes.Usage, result.Status);
        Assert.Equal($"iridium: {expected}\nTry 'iridium {command} --help'.\n", result.Error);
    }

    [Fact]
    public void ABadOrMissingValueSaysWhatTheOptionNeeds()
    {
        var lots = CliRunner.Run("run", Hello, "--max-steps", "lots");
        Assert.Equal(ExitCodes.Usage, lots.Status);
        Assert.StartsWith("iridium: --max-steps needs a whole number, not 'lots'\n", lots.Error);

        var missing = CliRunner.Run("run", Hello, "--state-json");
        Assert.Equal(ExitCodes.Usage, missing.Status);
        Assert.StartsWith("iridium: --state-json needs a value\n", missing.Error);

        var nodeMissing = CliRunner.Run("node", "--join");
        Assert.Equal(ExitCodes.Usage, nodeMissing.Status);
        Assert.StartsWith("iridium: --join needs a value (a list of HOST:PORT or dns:NAME:PORT strings)\n", nodeMissing.Error);
    }

    [Fact]
    public void HelpForNoCommandIsAUsageError()
    {
        var nosuch = CliRunner.Run("help", "nosuch");
        Assert.Equal(ExitCodes.Usage, nosuch.Status);
        Assert.Equal("", nosuch.Out);
        Assert.Equal("iridium: unknown command 'nosuch'\nTry 'iridium --help'.\n", nosuch.Error);

        var close = CliRunner.Run("help", "membres");
        Assert.Equal(ExitCodes.Usage, close.Status);
        Assert.StartsWith("iridium: unknown command 'membres'; did you mean 'members'?\n", close.Error);

        var run = CliRunner.Run("help", "run");
        Assert.Equal(ExitCodes.Ok, run.Status);
        Assert.StartsWith("Usage: iridium run FILE [options...]\n", run.Out);
    }

    [Fact]
    public void NodesHelpComesFromTheSchema()
    {
        var help = CliRunner.Run("help", "node");
        Assert.Equal(ExitCodes.Ok, help.Status);
        Assert.StartsWith("Usage: iridium node [options...]\n\nRun a headless cluster node", help.Out);
        Assert.Contains("  -P, --server-bind-port <int>", help.Out);
        Assert.Contains("  max_frame_bytes ", help.Out);
        Assert.Equal(help.Out, CliRunner.Run("node", "-P", "1", "--help").Out);
    }

    [Fact]
    public void AsmWithoutOutputSaysWhichFileItWrote()
    {
        string source = Hello;
        var result = CliRunner.Run("asm", source);
        Assert.Equal(ExitCodes.Ok, result.Status);
        string written = Path.ChangeExtension(source, ".ir");
        Assert.Equal($"iridium: wrote {written}\n", result.Error);
        Assert.True(File.Exists(written));

        var explicitOutput = CliRunner.Run("asm", source, "-o", Path.Combine(_dir.Path, "out.ir"));
        Assert.Equal("", explicitOutput.Error);
    }

    [Fact]
    public void AProgramThatRunsOffItsEndSaysSo()
    {
        string program = _dir.File("off.iasm", ".data\n.code\nload $0 #1\n");
        var result = CliRunner.Run("run", program);
        Assert.Equal(ExitCodes.IllegalStop, result.Status);
        Assert.Matches(@"^iridium: program ran off its end at pc=\d+ \(no HLT\)\n$", result.Error);

        // IGL stops on purpose: no such line.
        var igl = CliRunner.Run("run", _dir.File("igl.iasm", ".data\n.code\nigl\n"));
        Assert.Equal(ExitCodes.IllegalStop, igl.Status);
        Assert.DoesNotContain("ran off its end", igl.Error);
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void TheClusterScriptPrintsHowToReachItsNodes()
    {
        // A stand-in binary that just waits: the script's start and stop are what is tested.
        string fake = _dir.File("fake-iridium", "#!/bin/sh\nexec sleep 60\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string cluster = Path.Combine(_dir.Path, "cluster");
        string script = Path.Combine(HostileInputTests.RepositoryRoot, "tools", "cluster.sh");
        try
        {
            var start = Bash(fake, script, "start", "2", "--base-port", "24100", "--dir", cluster);
            Assert.Equal(0, start.Status);
            Assert.Contains($"  iridium members 127.0.0.1:24100 --cookie-file {cluster}/data/cookie\n", start.Out);
        }
        finally
        {
            Assert.Equal(0, Bash(fake, script, "stop", "--dir", cluster).Status);
        }
    }

    private string Hello
    {
        get
        {
            string path = Path.Combine(_dir.Path, "hello.iasm");
            if (!File.Exists(path)) File.Copy(Path.Combine(HostileInputTests.RepositoryRoot, "examples", "hello.iasm"), path);
            return path;
        }
    }

    private static (int Status, string Out) Bash(string iridium, string script, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (string arg in args) info.ArgumentList.Add(arg);
        info.Environment["IRIDIUM"] = iridium;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000)) process.Kill(entireProcessTree: true);
        return (process.ExitCode, output + stderr.Result);
    }
}
