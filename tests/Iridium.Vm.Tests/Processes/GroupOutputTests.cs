using System.Text;

namespace Iridium.Vm.Tests.Processes;

/// <summary>
/// A group's output at volume: a lone member keeps its whole lines until its slice ends, and
/// nothing is lost, reordered or interleaved for it (<see cref="ProcessOutput"/>).
/// </summary>
public class GroupOutputTests
{
    [Fact]
    public void ALoneMembersManyLinesArriveWholeAndInOrder()
    {
        using var run = new ProcessGroupRun("""
    .code
            load $1 #0
            load $2 #200000
            load $30 #10
    line:   prti $1
            prtc $30
            inc $1
            lt $1 $2
            djmpe @line
            hlt
    """);
        var lines = run.Output().Split('\n');
        Assert.Equal(200_001, lines.Length);
        Assert.Equal("", lines[^1]);
        for (int i = 0; i < 200_000; i++) Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[i]);
    }

    [Fact]
    public void LinesKeptWhileAloneGoOutBeforeASpawnedChildPrints()
    {
        // The parent prints 50 lines alone, spawns a child that prints, then a silent one (the
        // second runnable process wakes the other scheduler thread, which runs the first at
        // once), then computes for the rest of a long slice: its kept lines must already be out
        // when the child prints.
        using var run = new ProcessGroupRun("""
    msg:    .asciiz 'child'
    .code
            load $1 #0
            load $2 #50
            load $30 #10
    pre:    prti $1
            prtc $30
            inc $1
            lt $1 $2
            djmpe @pre
            load $3 @child
            load $4 #-1
            spawn $3 $0 $4
            load $3 @silent
            load $4 #-1
            spawn $3 $0 $4
            load $5 #0
            load $6 #300000
    busy:   inc $5
            lt $5 $6
            djmpe @busy
            hlt
    child:  prts @msg
            hlt
    silent: hlt
    """, new ProcessLimits { Schedulers = 2, SliceSteps = 2_000_000 });
        var expected = new StringBuilder();
        for (int i = 0; i < 50; i++) expected.Append(i).Append('\n');
        Assert.Equal(expected.Append("child").ToString(), run.Output());
    }

    [Fact]
    public void InterleavedMembersKeepEachProcessesLinesInOrder()
    {
        // The root prints 100 lines alone (S), then it (R) and three children (R0 = their letter)
        // each print 3,000 numbered lines; every line is whole, and each process's lines are
        // all there, in order, after the ones printed alone.
        using var run = new ProcessGroupRun("""
    .code
            load $30 #10
            load $20 #83
            load $1 #0
            load $2 #100
    pre:    prtc $20
            prti $1
            prtc $30
            inc $1
            lt $1 $2
            djmpe @pre
            load $3 @child
            load $4 #-1
            load $7 #65
            spawn $3 $7 $4
            load $4 #-1
            inc $7
            spawn $3 $7 $4
            load $4 #-1
            inc $7
            spawn $3 $7 $4
            load $0 #82
    child:  load $1 #0
            load $2 #3000
            load $30 #10
    line:   prtc $0
            prti $1
            prtc $30
            inc $1
            lt $1 $2
            djmpe @line
            hlt
    """, new ProcessLimits { Schedulers = 2, SliceSteps = 1_000 });
        var lines = run.Output().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var next = new Dictionary<char, int> { ['S'] = 0, ['R'] = 0, ['A'] = 0, ['B'] = 0, ['C'] = 0 };
        for (int i = 0; i < lines.Length; i++)
        {
            Assert.Matches("^[SRABC][0-9]+$", lines[i]);
            if (i < 100) Assert.Equal("S" + i, lines[i]);
            char who = lines[i][0];
            Assert.Equal(next[who].ToString(System.Globalization.CultureInfo.InvariantCulture), lines[i][1..]);
            next[who]++;
        }
        Assert.Equal(new Dictionary<char, int> { ['S'] = 100, ['R'] = 3000, ['A'] = 3000, ['B'] = 3000, ['C'] = 3000 }, next);
    }
}
