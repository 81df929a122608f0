namespace Iridium.Vm.Tests.Differential;

/// <summary>
/// Programs that SPAWN, SEND and RECV (and use the store), run as a whole group on one scheduler thread (so the
/// order in which processes run is fixed), on the fast interpreter and on the reference one
/// (every spawned process inherits its parent's): the same group output, the same final state
/// of the root, the same step counts.
/// </summary>
public class ProcessDifferentialTests
{
    public static TheoryData<string> ProcessPrograms => new()
    {
        "pingpong.iasm",
        "ring.iasm",
        "supervisor.iasm",
    };

    [Theory, MemberData(nameof(ProcessPrograms))]
    public void ExamplesRunTheSameOnBothInterpreters(string name)
    {
        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "programs", "examples", name));
        Assert.Equal(Run(source, reference: true), Run(source, reference: false));
    }

    /// <summary>
    /// Many senders, one collector: each of 8 children computes (a loop whose length depends on
    /// its R0, so slices end at different places) and sends its R0 and a checksum several times;
    /// the collector prints every message in arrival order, then every down notice.
    /// </summary>
    [Fact]
    public void ManySendersInterleaveTheSameWay()
    {
        const string source = """
            .data
            .code
                    load $1 @child
                    load $3 #8
                    load $4 #0
            more:   load $2 #-1
                    mul $3 $3 $5
                    spawn $1 $5 $2
                    monitor $2
                    dec $3
                    gt $3 $4
                    djmpe @more
                    load $6 #40         ; 8 children x 4 messages + 8 notices
            wait:   load $7 #-1
                    load $8 #0
                    recv $9 $7 $8
                    prti $9
                    prti $7
                    load $10 #0
                    lt $7 $10
                    djmpe @notice
                    loadm $8 $11
                    prti $11
            notice: load $12 #32
                    prtc $12
                    dec $6
                    gt $6 $4
                    djmpe @wait
                    hlt
            child:  load $20 #4         ; messages to send
                    load $21 #0
                    load $22 #1
            round:  load $23 #0
                    load $24 #0
            work:   add $24 $23 $24
                    inc $23
                    lt $23 $0
                    djmpe @work
                    setm $21 $24
                    load $25 #4
                    send $22 $21 $25
                    dec $20
                    load $26 #0
                    gt $20 $26
                    djmpe @round
                    hlt
            """;
        Assert.Equal(Run(source, reference: true), Run(source, reference: false));
    }

    /// <summary>
    /// examples/store-counter.iasm three times against one in-memory store (its KGET, KCAS and
    /// retries): the same counts, final state and steps on both interpreters.
    /// </summary>
    [Fact]
    public void TheStoreCounterRunsTheSameOnBothInterpreters()
    {
        string source = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "programs", "examples", "store-counter.iasm"));
        string ThreeRuns(bool reference)
        {
            var store = new Store.FakeStore();
            return string.Join("\n", Enumerable.Range(0, 3).Select(_ => Run(source, reference, store)));
        }
        Assert.Equal(ThreeRuns(reference: true), ThreeRuns(reference: false));
    }

    private static string Run(string source, bool reference, IStoreAccess? store = null)
    {
        var assembled = Assembler.Assembler.Assemble(source, "group.iasm");
        Assert.True(assembled.Success, assembled.RenderErrors());
        // A small slice, so that processes are preempted in the middle of their work too.
        using var runtime = new ProcessRuntime(new ProcessLimits { Schedulers = 1, SliceSteps = 7 }) { Store = store };
        var output = new MemoryStream();
        var machine = new Machine(Guid.Empty) { Runtime = runtime, UseReferenceInterpreter = reference };
        machine.LoadImage(assembled.Image!);
        var root = runtime.Start(machine, output)!;
        Assert.True(root.Group.WaitForEnd(TimeSpan.FromMinutes(2)), "the group did not end");
        var snapshot = MachineSnapshot.Of(machine, null, output.ToArray());
        return $"{snapshot} steps={root.Steps} reason={root.EndReason}";
    }
}
