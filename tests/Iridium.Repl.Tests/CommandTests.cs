using Iridium.Repl.Engine;
using Iridium.Vm;
using static Iridium.Repl.Tests.TestProcesses;

namespace Iridium.Repl.Tests;

/// <summary>Every REPL command (docs/reference/runtime.md, "Commands").</summary>
public class CommandTests
{
    private const string Subroutine = ".data\nmsg: .asciiz 'hi'\n.code\n  load $0 #5\n  hlt\nadd1: inc $0\n  ret\n";

    [Fact]
    public void Quit_SaysFarewellAndEndsTheSession()
    {
        using var repl = new EngineHarness();
        Assert.Equal(ReplOutcome.Quit, repl.RunOne("!quit"));
        Assert.Contains(ReplText.Farewell, repl.Terminal.Text);
        Assert.Equal(ReplOutcome.Continue, repl.RunOne("!quit please"));
        Assert.Contains("usage: !quit", repl.Terminal.Text);
    }

    [Fact]
    public void History_ListsTheLinesOfTheSession_IncludingItself()
    {
        using var repl = new EngineHarness();
        string output = repl.Run("load $0 #1", "", "!registers", "!history");
        Assert.Contains("1  load $0 #1", output);
        Assert.Contains("2  !registers", output);
        Assert.Contains("3  !history", output);
        Assert.Equal(["load $0 #1", "!registers", "!history"], repl.Session.History);
    }

    [Fact]
    public void Program_IsADisassembly()
    {
        using var repl = new EngineHarness();
        Assert.Contains("the program is empty", repl.Run("!program"));
        repl.Run("load $0 #1", "add $0 $0 $1");
        string output = repl.Run("!program");
        Assert.Contains("0: load $0 #1", output);
        Assert.Contains("4: add $0 $0 $1", output);
    }

    [Fact]
    public void Program_AfterLoadFile_ListsTheImageWithTheSourcesLabels()
    {
        using var repl = new EngineHarness();
        string path = repl.WriteFile("p.iasm", Subroutine);
        repl.Run($"!load_file {path}", "call @add1");
        string output = repl.Run("!program");
        Assert.Contains(".data", output);
        Assert.Contains("msg: .asciiz 'hi'", output);
        Assert.Contains("call @add1", output);
        Assert.Contains("\nadd1:\n", output);
        Assert.DoesNotContain("L79", output);
    }

    [Fact]
    public void ClearProgram_EmptiesProgramSymbolsAndResetsPc()
    {
        using var repl = new EngineHarness();
        string path = repl.WriteFile("p.iasm", Subroutine);
        repl.Run($"!load_file {path}", "inc $9");
        Assert.Contains("program cleared", repl.Run("!clear_program"));
        Assert.Equal(0, repl.Session.Machine.Program.Length);
        Assert.Equal(0, repl.Session.Machine.Pc);
        Assert.Equal(0, repl.Session.Machine.RoData.Length);
        Assert.Contains("no symbols", repl.Run("!symbols"));
        repl.Run("load $9 #3");
        Assert.Equal(3, repl.Session.Machine.Registers[9]);
        Assert.Equal(4, repl.Session.Machine.Program.Length);
    }

    [Fact]
    public void ClearRegisters_ZeroesIntegerRegistersOnly()
    {
        using var repl = new EngineHarness();
        repl.Run("load $0 #9", "load $1 #2");
        repl.Session.Machine.FloatRegisters[0] = 1.5;
        repl.Run("!clear_registers");
        Assert.All(repl.Session.Machine.Registers.ToArray(), r => Assert.Equal(0, r));
        Assert.Equal(1.5, repl.Session.Machine.FloatRegisters[0]);
    }

    [Fact]
    public void Registers_ShowsIntsFloatsFlagsRemainderLoopCounterAndPc()
    {
        using var repl = new EngineHarness();
        repl.Run("load $0 #7", "load $1 #2", "div $0 $1 $2", "eq $0 $0");
        string output = repl.Run("!registers");
        Assert.Contains("integer registers:", output);
        Assert.Contains("$2 = 3", output);
        Assert.Contains("$31 =", output);
        Assert.Contains("float registers:", output);
        Assert.Contains("equal flag: true  remainder: 1  loop counter: 0  pc: 16", output);
    }

    [Fact]
    public void Symbols_ListsTheLoadedProgramsLabels()
    {
        using var repl = new EngineHarness();
        Assert.Contains("no symbols", repl.Run("!symbols"));
        string path = repl.WriteFile("p.iasm", Subroutine);
        repl.Run($"!load_file {path}");
        string output = repl.Run("!symbols");
        Assert.Matches(@"msg\s+0\s+ro data offset", output);
        Assert.Matches(@"add1\s+79\s+code address", output);
    }

    [Fact]
    public void LoadFile_RunsTheProgram_AndItsLabelsWorkInTypedLines()
    {
        using var repl = new EngineHarness();
        string path = repl.WriteFile("p.iasm", Subroutine);
        string output = repl.Run($"!load_file {path}");
        Assert.Contains("loaded", output);
        Assert.Contains("VM stopped: code 0 (HLT)", output);
        Assert.Equal(5, repl.Session.Machine.Registers[0]);

        // The typed CALL lands in the loaded subroutine (a taken jump ends the line), whose
        // instructions can then be stepped by typing them; registers persist across the load.
        Assert.Contains("jumped from", repl.Run("call @add1"));
        repl.Run("inc $0", "prts @msg");
        Assert.Equal(6, repl.Session.Machine.Registers[0]);
        Assert.Contains("hi", repl.Terminal.Text);
    }

    [Fact]
    public void LoadFile_KeepsRegistersAcrossLoads()
    {
        using var repl = new EngineHarness();
        repl.Run("load $20 #11");
        string path = repl.WriteFile("p.iasm", ".data\n.code\ninc $20\nhlt\n");
        repl.Run($"!load_file {path}");
        Assert.Equal(12, repl.Session.Machine.Registers[20]);
    }

    [Fact]
    public void LoadFile_AsksForAMissingPath()
    {
        using var repl = new EngineHarness();
        string path = repl.WriteFile("p.iasm", Subroutine);
        repl.Terminal.Answers.Enqueue(path);
        Assert.Contains("VM stopped: code 0", repl.Run("!load_file"));
        Assert.Single(repl.Terminal.Questions);
        Assert.Contains("no path given", repl.Run("!load_file"));
    }

    [Fact]
    public void LoadFile_ReportsMissingFilesAndAssemblyErrors_AndKeepsTheOldProgram()
    {
        using var repl = new EngineHarness();
        repl.Run("inc $0");
        Assert.Contains("no such file", repl.Run($"!load_file {Path.Combine(repl.Directory, "nope.iasm")}"));
        string bad = repl.WriteFile("bad.iasm", ".code\nfrob $1\n");
        string output = repl.Run($"!load_file {bad}");
        Assert.Contains("error[UnknownOpcode]", output);
        Assert.Contains("nothing loaded", output);
        Assert.Equal(4, repl.Session.Machine.Program.Length);
    }

    [Fact]
    public void LoadFile_PrintsProgramOutputBeforeTheReport()
    {
        using var repl = new EngineHarness();
        string path = repl.WriteFile("hi.iasm", ".data\nmsg: .asciiz 'hello'\n.code\nprts @msg\nhlt\n");
        string output = repl.Run($"!load_file {path}");
        Assert.Contains("hello\nVM stopped: code 0", output);
    }

    [Fact]
    public void LoadFile_StopsAtTheStepBudget()
    {
        using var repl = new EngineHarness(new() { MaxSteps = 1000 });
        string path = repl.WriteFile("loop.iasm", ".data\n.code\neq $0 $0\ntop: djmpe @top\n");
        string output = repl.Run($"!load_file {path}");
        Assert.Contains("STEPS", output);
        Assert.Contains("1000", output);
    }

    [Fact]
    public async Task LoadFile_IsInterruptedByTheLinesCancellation_AndKeepsTheState()
    {
        using var repl = new EngineHarness();
        string path = repl.WriteFile("spin.iasm", ".data\nmsg: .asciiz 'spinning'\n.code\nload $5 #77\nprts @msg\neq $0 $0\ntop: inc $6\ndjmpe @top\n");
        using var interrupt = new CancellationTokenSource();
        var line = repl.Session.ExecuteAsync($"!load_file {path}", interrupt.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!repl.Terminal.Text.Contains("spinning") && DateTime.UtcNow < deadline) await Task.Delay(10);
        interrupt.Cancel();
        Assert.Equal(ReplOutcome.Continue, await line.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Matches(@"spinning\ninterrupted at pc=(89|93) \((INC \$6|DJMPE #89)\)\n\(!continue resumes it\)\n$", repl.Terminal.Text);
        Assert.Equal(77, repl.Session.Machine.Registers[5]);
        Assert.True(repl.Session.Machine.Registers[6] > 0);
        Assert.Contains("top", repl.Run("!symbols"));
        Assert.Matches(@"\$5 = +77 ", repl.Run("!registers"));
    }

    [Fact]
    public void Continue_ResumesARunThatUsedUpItsStepBudget_UntilItStops()
    {
        using var repl = new EngineHarness(new() { MaxSteps = 1000 });
        // 1,500 round trips of INC + LT + JMPE: about 4,500 steps, so four budgets of 1,000 and a fifth that stops.
        string path = repl.WriteFile("count.iasm", ".data\n.code\nload $1 #1500\ntop: inc $0\nlt $0 $1\ndjmpe @top\nhlt\n");
        Assert.Contains("(!continue resumes it)", repl.Run($"!load_file {path}"));
        int before = repl.Session.Machine.Registers[0];
        Assert.InRange(before, 300, 400);

        Assert.Equal(ExecutionReport.StepBudgetSpent(1000) + "\n(!continue resumes it)\n", repl.Run("!continue"));
        Assert.InRange(repl.Session.Machine.Registers[0] - before, 300, 400);
        string last = "";
        for (int i = 0; i < 10 && !last.Contains("VM stopped"); i++) last = repl.Run("!continue");
        Assert.Equal("VM stopped: code 0 (HLT)\n", last);
        Assert.Equal(1500, repl.Session.Machine.Registers[0]);
        Assert.StartsWith("nothing to continue", repl.Run("!continue"));
    }

    [Fact]
    public void Continue_RefusesWhenNothingWasInterrupted_OrATypedLineRanSince()
    {
        using var repl = new EngineHarness(new() { MaxSteps = 1000 });
        Assert.StartsWith("nothing to continue", repl.Run("!continue"));
        string path = repl.WriteFile("loop.iasm", ".data\n.code\neq $0 $0\ntop: djmpe @top\n");
        Assert.Contains("STEPS", repl.Run($"!load_file {path}"));
        repl.Run("load $2 #7");
        Assert.StartsWith("nothing to continue", repl.Run("!continue"));
        Assert.Contains("takes no arguments", repl.Run("!continue now"));
    }

    [Fact]
    public async Task Spawn_RunsOnANewVm_AndReportsItsEventsWhenDone()
    {
        using var repl = new EngineHarness();
        repl.Run("load $0 #3");
        string path = repl.WriteFile("s.iasm", ".data\nmsg: .asciiz 'from spawn'\n.code\nprts @msg\nload $0 #99\nhlt\n");
        string output = repl.Run($"!spawn {path}");
        Assert.Contains("spawned vm", output);
        await repl.Terminal.WaitForNoticesAsync(1);
        var report = string.Join("\n", repl.Terminal.Notices[0]);
        Assert.Contains("finished", report);
        Assert.Contains("from spawn", report);
        Assert.Contains("VM Events", report);
        Assert.Contains("GracefulStop{0}", report);
        Assert.Equal(3, repl.Session.Machine.Registers[0]);   // the session's VM is untouched
    }

    [Fact]
    public async Task Spawn_IsBoundedByTheStepBudget()
    {
        using var repl = new EngineHarness(new() { MaxSteps = 500, Processes = OneThread() });
        string path = repl.WriteFile("loop.iasm", ".data\n.code\neq $0 $0\ntop: djmpe @top\n");
        repl.Run($"!spawn {path}");
        await repl.Terminal.WaitForNoticesAsync(1);
        Assert.Contains("Crash{9}", string.Join("\n", repl.Terminal.Notices[0]));
    }

    [Fact]
    public void Help_ListsCommandsAndEveryOpcodeFromTheMetadata()
    {
        using var repl = new EngineHarness();
        string output = repl.Run("!help");
        Assert.Contains("!load_file [PATH]", output);
        Assert.Contains("!join_cluster HOST PORT", output);
        foreach (var opcode in Iridium.Vm.OpcodeTable.All) Assert.Contains(opcode.Mnemonic, output);
        Assert.Contains("opcode", repl.Run("!help hlt"));
        Assert.Contains("!spawn [PATH]", repl.Run("!help spawn"));
        Assert.Contains("no command or instruction named frob", repl.Run("!help frob"));
    }

    [Fact]
    public void UnknownCommandsAndBadArguments_GetAUsageLine()
    {
        using var repl = new EngineHarness();
        Assert.Contains("unknown command !frob", repl.Run("!frob"));
        Assert.Contains("usage: !join_cluster HOST PORT", repl.Run("!join_cluster"));
        Assert.Contains("usage: !join_cluster HOST PORT", repl.Run("!join_cluster localhost"));
        Assert.Contains("PORT must be a number", repl.Run("!join_cluster localhost 99999"));
        Assert.Contains("usage: !registers", repl.Run("!registers now"));
        Assert.Contains("usage", repl.Run("!help a b"));
        Assert.Contains("unknown command !", repl.Run("!"));
    }

    [Fact]
    public void ClusterCommands_WithoutACluster_SayItIsNotAvailable()
    {
        using var repl = new EngineHarness();
        Assert.Contains("cluster not available", repl.Run("!start_cluster"));
        Assert.Contains("cluster not available", repl.Run("!join_cluster 127.0.0.1 2254"));
        Assert.Contains("cluster not available", repl.Run("!cluster_members"));
    }

    [Fact]
    public void ClusterCommands_AreRefusedInRemoteSessions()
    {
        var cluster = new FakeCluster();
        using var repl = new EngineHarness(new() { IsRemote = true, Cluster = cluster });
        Assert.Contains("not available in a remote session", repl.Run("!start_cluster"));
        Assert.Contains("not available in a remote session", repl.Run("!cluster_members"));
        Assert.Equal(0, cluster.Calls);
    }

    [Fact]
    public void ExecPsAndKill_GoThroughTheClusterControl()
    {
        var cluster = new FakeCluster();
        using var repl = new EngineHarness(new() { Cluster = cluster });
        string help = repl.Run("!help");
        Assert.Contains("!exec ALIAS PATH", help);
        Assert.Contains("!ps", help);
        Assert.Contains("!kill ID", help);

        string path = repl.WriteFile("e.iasm", ".data\n.code\nhlt\n");
        string output = repl.Run($"!exec b {path}");
        Assert.Equal(("b", "e.iasm"), (cluster.Executed!.Value.Target, cluster.Executed.Value.Program));
        Assert.True(cluster.Executed.Value.ImageBytes > 0);
        int first = output.IndexOf("first line\n", StringComparison.Ordinal), second = output.IndexOf("second line\n", StringComparison.Ordinal);
        int rest = output.IndexOf("unfinished\n", StringComparison.Ordinal), end = output.IndexOf("b.1 stopped", StringComparison.Ordinal);
        Assert.True(first >= 0 && first < second && second < rest && rest < end, output);

        Assert.Contains("b.1 b", repl.Run("!ps"));
        Assert.Contains("killed b.1", repl.Run("!kill b.1"));
        Assert.DoesNotContain("group", repl.Run("!kill b.1"));
        Assert.Contains("killed group b.1", repl.Run("!kill b.1 --group"));
        Assert.Contains("usage: !exec ALIAS PATH", repl.Run("!exec b"));
        Assert.Contains("usage: !kill ID [--group]", repl.Run("!kill"));
        Assert.Contains("usage: !kill ID [--group]", repl.Run("!kill b.1 --grop"));
        Assert.Contains("usage: !kill ID [--group]", repl.Run("!kill --group"));

        string logs = repl.Run("!logs b.1");
        int kept = logs.IndexOf("kept line\n", StringComparison.Ordinal), tail = logs.IndexOf("unfinished\n", StringComparison.Ordinal), how = logs.IndexOf("b.1 is running", StringComparison.Ordinal);
        Assert.True(kept >= 0 && kept < tail && tail < how, logs);
        Assert.Contains("b.1 stopped with code 0", repl.Run("!logs b.1 --follow"));
        Assert.Contains("no detached group b.9", repl.Run("!logs b.9"));
        Assert.Contains("usage: !logs ID [--follow]", repl.Run("!logs"));
        Assert.Contains("usage: !logs ID [--follow]", repl.Run("!logs b.1 --folow"));
    }

    [Fact]
    public void Exec_ShowsALineWithoutNewlinesInPiecesInsteadOfHoldingItAll()
    {
        string chunk = new('x', Iridium.Repl.Commands.RemoteLines.MaxLineChars / 4 + 1);
        var cluster = new FakeCluster { Chunks = Enumerable.Repeat(chunk, 9).ToArray() };
        using var repl = new EngineHarness(new() { Cluster = cluster });
        string path = repl.WriteFile("e.iasm", ".data\n.code\nhlt\n");

        string[] lines = repl.Run($"!exec b {path}").Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('x')).ToArray();
        int max = Iridium.Repl.Commands.RemoteLines.MaxLineChars;
        Assert.Equal([max, max, 9 * chunk.Length - 2 * max], lines.Select(l => l.Length));
    }

    [Fact]
    public void ExecPsAndKill_AreRefusedInRemoteSessions()
    {
        var cluster = new FakeCluster();
        using var repl = new EngineHarness(new() { IsRemote = true, Cluster = cluster });
        Assert.Contains("not available in a remote session", repl.Run("!exec b x.iasm"));
        Assert.Contains("not available in a remote session", repl.Run("!ps"));
        Assert.Contains("not available in a remote session", repl.Run("!kill b.1"));
        Assert.Equal(0, cluster.Calls);
    }

    [Fact]
    public void ClusterCommands_UseTheClusterControl()
    {
        var cluster = new FakeCluster();
        using var repl = new EngineHarness(new() { Cluster = cluster });
        Assert.Contains("listening", repl.Run("!start_cluster"));
        Assert.Contains("joined 10.0.0.9:2254", repl.Run("!join_cluster 10.0.0.9 2254"));
        // The table the cluster control formats (`iridium members`' own), row for row.
        Assert.Equal("ALIAS  STATUS\na      self\nb      up\n", repl.Run("!cluster_members").ReplaceLineEndings("\n"));
    }

    private sealed class FakeCluster : Iridium.Repl.Cluster.IClusterControl
    {
        public int Calls { get; private set; }

        public Task<Iridium.Repl.Cluster.ClusterReply> StartAsync(CancellationToken cancellation)
        {
            Calls++;
            return Task.FromResult(new Iridium.Repl.Cluster.ClusterReply(true, "listening on 127.0.0.1:2254"));
        }

        public Task<Iridium.Repl.Cluster.ClusterReply> JoinAsync(string host, int port, CancellationToken cancellation)
        {
            Calls++;
            return Task.FromResult(new Iridium.Repl.Cluster.ClusterReply(true, $"joined {host}:{port}"));
        }

        public IReadOnlyList<string> MembersTable()
        {
            Calls++;
            return ["ALIAS  STATUS", "a      self", "b      up"];
        }

        /// <summary>The output !exec receives: by default, pieces that do not follow line ends.</summary>
        public string[] Chunks { get; init; } = ["first li", "ne\nsecond line\nunfin", "ished"];

        /// <summary>What the last !exec sent: target, program name and image length.</summary>
        public (string Target, string Program, int ImageBytes)? Executed { get; private set; }

        public Task<Iridium.Repl.Cluster.ClusterReply> ExecAsync(string target, string program, byte[] image, Action<string> output, CancellationToken cancellation)
        {
            Calls++;
            Executed = (target, program, image.Length);
            foreach (string chunk in Chunks) output(chunk);
            return Task.FromResult(new Iridium.Repl.Cluster.ClusterReply(true, $"{target}.1 stopped with code 0"));
        }

        public Task<IReadOnlyList<string>> ProcessesAsync(CancellationToken cancellation)
        {
            Calls++;
            return Task.FromResult<IReadOnlyList<string>>(["ID  NODE", "b.1 b"]);
        }

        public Task<Iridium.Repl.Cluster.ClusterReply> LogsAsync(string rootId, bool follow, Action<string> output, CancellationToken cancellation)
        {
            Calls++;
            if (rootId != "b.1") return Task.FromResult(new Iridium.Repl.Cluster.ClusterReply(false, $"no detached group {rootId}"));
            output("kept li");
            output("ne\nunfinished");
            return Task.FromResult(new Iridium.Repl.Cluster.ClusterReply(true, follow ? "b.1 stopped with code 0" : "b.1 is running"));
        }

        public Task<Iridium.Repl.Cluster.ClusterReply> KillAsync(string processId, bool group, CancellationToken cancellation)
        {
            Calls++;
            return Task.FromResult(new Iridium.Repl.Cluster.ClusterReply(true, group ? $"killed group {processId}" : $"killed {processId}"));
        }
    }
}
