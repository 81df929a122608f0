using Iridium.Repl.Console;
using Iridium.Repl.Engine;
using Iridium.Repl.Terminal;

namespace Iridium.Repl.Tests;

/// <summary>The pieces the two interactive front ends share: Ctrl-C routing, the banner, report lines.</summary>
public class FrontEndTests
{
    [Fact]
    public void CtrlC_InterruptsTheRunningLine_AndTheThirdPressOnOneLineEndsTheProcess()
    {
        using var key = new InterruptKey(listen: false);
        int interrupts = 0;
        Assert.False(key.Press());   // no line runs: Ctrl-C does what it always did

        using (key.WhileRunning(() => interrupts++))
        {
            Assert.True(key.Press());
            Assert.True(key.Press());
            Assert.False(key.Press());
        }
        Assert.Equal(2, interrupts);

        using (key.WhileRunning(() => interrupts++))
        {
            Assert.True(key.Press());   // a new line starts counting afresh
        }
        Assert.Equal(3, interrupts);
        Assert.False(key.Press());
    }

    [Fact]
    public void TheBanner_ShowsTheVersionAndOneHintLine_AndClientsRecogniseIt()
    {
        var banner = ReplText.Banner("1.2.3");
        Assert.Equal(2, banner.Count);
        Assert.Equal("Welcome to Iridium! Let's be productive!", banner[0]);   // what clients of 0.2.0 look for
        Assert.StartsWith("iridium 1.2.3: ", banner[1]);
        Assert.Contains("!help", banner[1]);
        Assert.Contains("!quit", banner[1]);
        Assert.Contains("Ctrl-D", banner[1]);
        Assert.True(banner[1].Length <= 80, "the hint fits an 80-column terminal");
        Assert.True(ReplText.IsBanner(banner[0]));
        Assert.Equal(ReplText.Hint, ReplText.Banner(null)[1]);
        Assert.False(ReplText.IsBanner("too many sessions (the limit is 16); try again later"));
    }

    [Theory]
    [InlineData("quit", "!quit")]
    [InlineData("exit", "!quit")]
    [InlineData("  EXIT() ", "!quit")]
    [InlineData("help", "!help")]
    [InlineData("?", "!help")]
    public void HabitWords_GetAHintInsteadOfAnAssemblyError(string typed, string hint)
    {
        using var repl = new EngineHarness();
        string output = repl.Run(typed);
        Assert.Contains(hint, output);
        Assert.DoesNotContain("error", output);
        Assert.Equal(0, repl.Session.Machine.Program.Length);
    }

    [Fact]
    public void ALineWriter_HandsOverWholeLines_EvenFromManyThreads()
    {
        var lines = new System.Collections.Concurrent.ConcurrentBag<string>();
        var writer = new LineWriter(lines.Add);
        writer.Write("par");
        writer.Write("t one\r\npart two\nunfinished");
        Assert.Equal(["part one", "part two"], lines.Order());

        lines.Clear();
        Parallel.For(0, 200, i => writer.WriteLine($"line {i} of many words"));
        Assert.Equal(200, lines.Count);
        Assert.Contains("unfinishedline", string.Join("|", lines).Replace(" ", ""));
        Assert.All(lines.Where(l => !l.StartsWith("unfinished", StringComparison.Ordinal)), l => Assert.Matches(@"^line \d+ of many words$", l));
    }
}
