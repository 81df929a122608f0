namespace Iridium.Vm.Tests;

/// <summary>
/// Interruptible runs: an interrupt stops at an instruction boundary and keeps the state, and a
/// cancellable run that is not interrupted is indistinguishable from a plain one (same steps, same
/// outcome), whatever the slice size.
/// </summary>
public class InterruptTests
{
    /// <summary>Counts R1 up to R3 (3 steps a round), then HLT: 68 INC $1, 72 LT $1 $3, 76 DJMPE 68, 80 HLT.</summary>
    private const string CountToR3 = "12 01 00 00 | 0D 01 03 00 | 14 00 44 00 | 05 00 00 00";

    /// <summary>Prints R2 as a character once, then loops for ever: 68 PRTC $2, 72 INC $1, 76 JMP $0 (R0 = 72).</summary>
    private const string PrintThenSpin = "32 02 00 00 | 12 01 00 00 | 06 00 00 00";

    /// <summary>An output stream that cancels a token when the program first prints: "the program is running now".</summary>
    private sealed class CancelOnWrite(CancellationTokenSource source) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            base.Write(buffer);
            source.Cancel();
        }
    }

    private static Machine Loaded(string code, string setup = "", long slice = Machine.DefaultInterruptSlice, Stream? output = null)
    {
        var machine = new Machine { InterruptSlice = slice, Output = output ?? Stream.Null };
        VmScenario.Apply(machine, setup);
        machine.LoadImage(VmScenario.Image(code));
        return machine;
    }

    [Fact]
    public void AnInterruptStopsAnEndlessLoopAtAnInstructionBoundary_AndKeepsTheState()
    {
        using var interrupt = new CancellationTokenSource();
        var output = new CancelOnWrite(interrupt);
        var machine = Loaded(PrintThenSpin, "R0=72 R2=65 R5=77", slice: 1000, output: output);

        var final = machine.Run(interrupt: interrupt.Token);

        Assert.Equal(VmEventKind.Interrupted, final.Kind);
        Assert.Equal([VmEventKind.Start, VmEventKind.Interrupted], machine.Events.Select(e => e.Kind));
        Assert.Equal(ExecutionStatus.Interrupted, machine.LastResult.Status);
        Assert.Equal(machine.Pc, machine.LastResult.Pc);
        Assert.Contains(machine.Pc, new[] { 72, 76 });
        // The first slice ran to its end: 1000 steps, of which PRTC was one and every other pair is INC, JMP.
        Assert.Equal(1000, 1 + machine.Registers[1] + (machine.Registers[1] - (machine.Pc == 76 ? 1 : 0)));
        Assert.Equal(77, machine.Registers[5]);
        Assert.Equal("A"u8.ToArray(), output.ToArray());
    }

    [Fact]
    public void StepsAreCountedAndTheHostIsCalledBetweenSlices()
    {
        using var cancellable = new CancellationTokenSource();
        // 1000 rounds of INC, LT, DJMPE, then HLT: 3001 steps, in slices of 100.
        var machine = Loaded(CountToR3, "R3=1000", slice: 100);
        long stepsSeen = -1;
        int calls = 0;
        machine.BetweenSlices = () =>
        {
            calls++;
            stepsSeen = machine.InterruptibleSteps;   // readable between slices, counting as it goes
        };

        var final = machine.Run(interrupt: cancellable.Token);

        Assert.Equal(VmEventKind.GracefulStop, final.Kind);
        Assert.Equal(3001, machine.InterruptibleSteps);
        // Every slice ends with a call, the last (one step, HLT) too: 31; the last call saw them all.
        Assert.Equal(31, calls);
        Assert.Equal(3001, stepsSeen);
    }

    [Fact]
    public void AnInterruptBeforeTheRunStarts_RunsNothing()
    {
        var machine = Loaded(CountToR3, "R3=10");
        var final = machine.Run(interrupt: new CancellationToken(canceled: true));
        Assert.Equal(VmEventKind.Interrupted, final.Kind);
        Assert.Equal(68, machine.Pc);
        Assert.Equal(0, machine.Registers[1]);
    }

    [Fact]
    public void AnInterruptedRun_ContinuesToTheSameEndAsAnUninterruptedOne()
    {
        using var interrupt = new CancellationTokenSource();
        // 68 PRTC $2, then count R1 to R3 = 1000 (3000 steps) and HLT.
        const string code = "32 02 00 00 | 12 01 00 00 | 0D 01 03 00 | 14 00 48 00 | 05 00 00 00";
        var machine = Loaded(code, "R2=65 R3=1000", slice: 7, output: new CancelOnWrite(interrupt));
        Assert.Equal(VmEventKind.Interrupted, machine.Run(interrupt: interrupt.Token).Kind);
        Assert.InRange(machine.Registers[1], 1, 999);

        var resumed = machine.Continue();
        Assert.Equal((ExecutionStatus.Stopped, 0, 84), (resumed.Status, resumed.Code, resumed.Pc));
        Assert.Equal(1000, machine.Registers[1]);
    }

    public static TheoryData<long?, long> BudgetsAndSlices()
    {
        var data = new TheoryData<long?, long>();
        foreach (long slice in new long[] { 1, 2, 3, 5, 31, 64 })
        {
            data.Add(null, slice);
            for (long budget = 0; budget <= 33; budget++) data.Add(budget, slice);
        }
        return data;
    }

    [Theory, MemberData(nameof(BudgetsAndSlices))]
    public void ACancellableRunThatIsNotInterrupted_IsExactlyAPlainRun(long? budget, long slice)
    {
        // 10 rounds of 3 steps and HLT: 31 steps, so budgets 0..33 cover "too few", "exactly" and "more than enough".
        var plain = Loaded(CountToR3, "R3=10");
        var plainFinal = plain.Run(budget);

        using var neverCancelled = new CancellationTokenSource();
        var sliced = Loaded(CountToR3, "R3=10", slice);
        var slicedFinal = sliced.Run(budget, neverCancelled.Token);

        Assert.Equal((plainFinal.Kind, plainFinal.Code), (slicedFinal.Kind, slicedFinal.Code));
        Assert.Equal(plain.LastResult, sliced.LastResult);
        Assert.Equal(plain.Pc, sliced.Pc);
        Assert.Equal(plain.Registers.ToArray(), sliced.Registers.ToArray());
        Assert.Equal(plain.EqualFlag, sliced.EqualFlag);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(30)]
    public void ContinueWithABudget_StopsAfterExactlyThatManySteps(long slice)
    {
        using var neverCancelled = new CancellationTokenSource();
        // Headerless (code at 0), as the REPL single-steps: CountToR3 with DJMPE 0.
        var machine = new Machine { InterruptSlice = slice };
        machine.LoadHeaderless(VmScenario.Hex("12 01 00 00 | 0D 01 03 00 | 14 00 00 00 | 05 00 00 00"));
        machine.Registers[3] = 100;
        var result = machine.Continue(31, neverCancelled.Token);
        Assert.Equal(ExecutionStatus.Running, result.Status);
        Assert.Equal(11, machine.Registers[1]);   // 10 full rounds and the INC of the 11th
        Assert.Equal(4, machine.Pc);
    }
}
