namespace Iridium.Repl.Tests;

/// <summary>Typed assembly: runs at once, each line at its own bytes (docs/reference/runtime.md).</summary>
public class TypedLineTests
{
    [Fact]
    public void TypedInstructions_RunAtOnce()
    {
        using var repl = new EngineHarness();
        string output = repl.Run("load $0 #40", "load $1 #2", "add $0 $1 $2");
        Assert.Equal("", output);
        Assert.Equal(42, repl.Session.Machine.Registers[2]);
    }

    [Fact]
    public void ExpandedLoad_RunsBothInstructions()
    {
        using var repl = new EngineHarness();
        repl.Run("load $3 #-1", "load $4 #100000");
        Assert.Equal(-1, repl.Session.Machine.Registers[3]);
        Assert.Equal(100000, repl.Session.Machine.Registers[4]);
        Assert.Equal(16, repl.Session.Machine.Program.Length);
    }

    [Fact]
    public void AfterHlt_LaterLinesStillRun()
    {
        using var repl = new EngineHarness();
        Assert.Contains("VM stopped: code 0", repl.Run("hlt"));
        repl.Run("load $0 #7");
        Assert.Equal(7, repl.Session.Machine.Registers[0]);
    }

    [Fact]
    public void AfterIgl_LaterLinesStillRun()
    {
        using var repl = new EngineHarness();
        Assert.Contains("VM stopped: code 1", repl.Run("igl"));
        repl.Run("inc $5");
        Assert.Equal(1, repl.Session.Machine.Registers[5]);
    }

    [Fact]
    public void AfterAFault_TheFaultIsReportedAndLaterLinesStillRun()
    {
        using var repl = new EngineHarness();
        string output = repl.Run("load $0 #7", "div $0 $1 $2");
        Assert.Contains("VM fault: DIVZERO at pc=4 (DIV $0 $1 $2)", output);
        repl.Run("load $1 #2", "div $0 $1 $2");
        Assert.Equal(3, repl.Session.Machine.Registers[2]);
        Assert.Equal(1, repl.Session.Machine.Remainder);
    }

    [Fact]
    public void ErrorsAreReported_AndNothingRuns()
    {
        using var repl = new EngineHarness();
        string output = repl.Run("frob $1");
        Assert.Contains("error[UnknownOpcode]", output);
        Assert.Contains("nothing was executed", output);
        Assert.Equal(0, repl.Session.Machine.Program.Length);
        Assert.Contains("cannot be typed", repl.Run(".data"));
        Assert.Contains("UndefinedSymbol", repl.Run("call @nowhere"));
    }

    [Fact]
    public void LabelDeclaration_IsIgnoredWithAWarning_AndTheInstructionRuns()
    {
        using var repl = new EngineHarness();
        Assert.Contains("warning: label 'top' ignored", repl.Run("top: inc $1"));
        Assert.Equal(1, repl.Session.Machine.Registers[1]);
    }

    [Fact]
    public void ATakenJump_StopsTheLine()
    {
        using var repl = new EngineHarness();
        repl.Run("load $0 #0");
        string output = repl.Run("jmp $0");
        Assert.Contains("jumped from 4 to 0", output);
    }

    [Fact]
    public void BlankAndCommentLines_DoNothing()
    {
        using var repl = new EngineHarness();
        Assert.Equal("", repl.Run("", "   ", "; a comment"));
        Assert.Equal(0, repl.Session.Machine.Program.Length);
    }
}
