using Iridium.Assembler;

namespace Iridium.Vm.Tests.Differential;

/// <summary>
/// The fast interpreter (copied handler bodies, superinstructions, threaded dispatch) against the
/// reference interpreter (the handler methods called one at a time, nothing fused): the same
/// programs from the same state must leave exactly the same observable state, output, final event
/// and --state-json document, unbounded and under step budgets that end runs anywhere, including
/// in the middle of a superinstruction.
/// </summary>
public class DifferentialTests
{
    private const int RandomPrograms = 3000;
    private const int BudgetSweepPrograms = 300;

    private static string ProgramsDirectory => Path.Combine(AppContext.BaseDirectory, "programs");

    public static TheoryData<string> AssemblyPrograms()
    {
        var data = new TheoryData<string>();
        // Programs that spawn processes run as a group on a scheduler: ProcessDifferentialTests.
        var processPrograms = ProcessDifferentialTests.ProcessPrograms.Cast<object[]>().Select(row => (string)row[0]).ToHashSet();
        foreach (var file in Directory.GetFiles(ProgramsDirectory, "*.iasm", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            // A server (counter-server.iasm) waits for messages for ever: its own tests send it some.
            if (!processPrograms.Contains(Path.GetFileName(file)) && Path.GetFileName(file) != "counter-server.iasm") data.Add(Path.GetRelativePath(ProgramsDirectory, file));
        }
        return data;
    }

    [Theory, MemberData(nameof(AssemblyPrograms))]
    public void ExamplesAndBenchmarksRunTheSameOnBothInterpreters(string name)
    {
        var result = Assembler.Assembler.Assemble(File.ReadAllText(Path.Combine(ProgramsDirectory, name)), name);
        Assert.True(result.Success, result.RenderErrors());
        // The benchmark programs run for hundreds of millions of instructions and forever.iasm
        // (the Ctrl-C demo) never ends: cap them (the cap ends every one of them mid-run, which is
        // compared too) but let the other examples finish.
        bool endless = name.StartsWith("bench", StringComparison.Ordinal) || Path.GetFileName(name) == "forever.iasm";
        long? budget = endless ? 3_000_000 : null;
        var fast = RunOn(fast: true, result.Image!, _ => { }, budget);
        var reference = RunOn(fast: false, result.Image!, _ => { }, budget);
        Assert.Equal(reference, fast);
        if (budget is null) Assert.Equal("GracefulStop{0}", fast.FinalEvent);
    }

    [Fact]
    public void RandomProgramsRunTheSameOnBothInterpreters()
    {
        var budgets = new Random(7);
        int finished = 0;
        for (int seed = 0; seed < RandomPrograms; seed++)
        {
            var program = new RandomProgram(seed);
            long budget = budgets.Next(0, 3000);
            var reference = RunOn(fast: false, program.Image, program.InitialState, budget);
            var fast = RunOn(fast: true, program.Image, program.InitialState, budget);
            AssertSame(reference, fast, program, $"budget {budget}");

            // Runs that ended by themselves also go through the unbounded interpreter.
            if (!reference.FinalEvent.StartsWith("Crash{9}", StringComparison.Ordinal))
            {
                finished++;
                AssertSame(reference, RunOn(fast: true, program.Image, program.InitialState, maxSteps: null), program, "unbounded");
            }
        }
        // Both endings must be well represented: runs the budget cut short, and runs that ended
        // by themselves (which were also compared unbounded).
        Assert.InRange(finished, RandomPrograms / 10, RandomPrograms - RandomPrograms / 30);
    }

    [Fact]
    public void StepBudgetsEndingAnywhereGiveTheSameState()
    {
        for (int seed = 0; seed < BudgetSweepPrograms; seed++)
        {
            var program = new RandomProgram(1_000_000 + seed);
            for (long budget = 0; budget <= 60; budget++)
            {
                var reference = RunOn(fast: false, program.Image, program.InitialState, budget);
                var fast = RunOn(fast: true, program.Image, program.InitialState, budget);
                AssertSame(reference, fast, program, $"budget {budget}");
                if (!reference.FinalEvent.StartsWith("Crash{9}", StringComparison.Ordinal)) break;
            }
        }
    }

    /// <summary>
    /// Runs cut into slices (an interruptible run's, and a scheduler's Start, RunSlice, Finish)
    /// of random sizes under random budgets: the fast interpreter, slice after slice, must leave the
    /// state the reference interpreter leaves in one piece, and count the same steps.
    /// </summary>
    [Fact]
    public void SlicedRunsUnderRandomBudgetsGiveTheSameStateAndSteps()
    {
        var random = new Random(11);
        using var neverCancelled = new CancellationTokenSource();
        for (int seed = 0; seed < BudgetSweepPrograms * 3; seed++)
        {
            var program = new RandomProgram(3_000_000 + seed);
            long budget = random.Next(0, 400);
            long slice = random.Next(1, 40);

            // The reference in one slice (its step count is the interruptible run's), the fast one in many.
            var (reference, referenceSteps) = RunInSlices(fast: false, program, budget, slice: budget + 1, neverCancelled.Token);
            var (fast, fastSteps) = RunInSlices(fast: true, program, budget, slice, neverCancelled.Token);
            AssertSame(reference, fast, program, $"budget {budget} in slices of {slice}");
            Assert.True(referenceSteps == fastSteps, $"{program}, budget {budget} in slices of {slice}: {referenceSteps} steps in one slice, {fastSteps} in slices");

            // A scheduler's process: Start, slices until the program ends or the budget is
            // spent, Finish: the same as the reference's Run, final event and state included.
            var output = new MemoryStream();
            var machine = new Machine(Guid.Empty) { Output = output };
            program.InitialState(machine);
            machine.LoadImage(program.Image);
            Assert.Null(machine.Start());
            long spent = 0;
            ExecutionResult result;
            do
            {
                result = machine.RunSlice(Math.Min(slice, budget - spent), out long executed);
                Assert.InRange(executed, 0, slice);
                spent += executed;
            }
            while (result.Status == ExecutionStatus.Running && spent < budget);
            var final = machine.Finish(result);
            Assert.True(referenceSteps == spent, $"{program}, RunSlice({slice}) up to {budget} steps: {referenceSteps} steps in one slice, {spent} in slices");
            AssertSame(reference, MachineSnapshot.Of(machine, final, output.ToArray()), program, $"RunSlice({slice}) up to {budget} steps");
        }
    }

    [Fact]
    public void SingleSteppingGivesTheSameStateAfterEveryStep()
    {
        for (int seed = 0; seed < BudgetSweepPrograms; seed++)
        {
            var program = new RandomProgram(2_000_000 + seed);
            var (fast, fastOutput) = Start(fast: true, program);
            var (reference, referenceOutput) = Start(fast: false, program);
            for (int step = 0; step < 200; step++)
            {
                var fastResult = fast.RunOnce();
                var referenceResult = reference.RunOnce();
                AssertSame(MachineSnapshot.Of(reference, null, referenceOutput.ToArray()), MachineSnapshot.Of(fast, null, fastOutput.ToArray()), program, $"step {step}");
                Assert.Equal(referenceResult, fastResult);
                if (referenceResult.Status != ExecutionStatus.Running) break;
            }
        }
    }

    [Fact]
    public void ProgramsContainingSuperinstructionsAreCommonInTheRandomSet()
    {
        // Guards the generator above: if it stopped placing fusable sequences, the differential
        // tests would compare two unfused runs.
        int withFusion = Enumerable.Range(0, 200).Count(seed => CountFused(new RandomProgram(seed).Image) > 0);
        Assert.InRange(withFusion, 150, 200);
        // Loop variants too (a counted-loop sequence branching to its own start).
        int withLoops = Enumerable.Range(0, RandomPrograms).Count(seed => CountFused(new RandomProgram(seed).Image, loopsOnly: true) > 0);
        Assert.InRange(withLoops, RandomPrograms / 100, RandomPrograms);
    }

    [Fact]
    public void CallHeavyProgramsNestFramesInTheRandomSet()
    {
        // Guards the call-heavy programs: calls must really nest (a frame above a frame) in many
        // of them, not fault at once, or the differential tests would not exercise CALL and RET.
        var callHeavy = Enumerable.Range(0, 400).Where(seed => seed % 4 == 3).ToArray();
        int nested = callHeavy.Count(seed =>
        {
            var (machine, _) = Start(fast: false, new RandomProgram(seed));
            int deepest = 0;
            for (int step = 0; step < 500 && machine.RunOnce().Status == ExecutionStatus.Running; step++)
            {
                deepest = Math.Max(deepest, machine.BasePointer);
            }
            return deepest >= 4;
        });
        Assert.InRange(nested, callHeavy.Length / 2, callHeavy.Length);
    }

    private static int CountFused(byte[] image, bool loopsOnly = false)
    {
        Assert.True(ProgramImage.TryRead(image, out var layout, out _));
        var slots = InstructionDecoder.DecodeProgram(image, layout.CodeStart);
        int first = loopsOnly ? InstructionDecoder.FirstLoopIndex : InstructionDecoder.BadRegisterIndex + 1;
        return slots.Count(s => s.Op >= first && s.Op < InstructionDecoder.DispatchCount);
    }

    public static TheoryData<string> LoopingSequences()
    {
        var data = new TheoryData<string>();
        foreach (var sequence in InstructionDecoder.LoopingSequences) data.Add(string.Join(" ", sequence));
        return data;
    }

    /// <summary>
    /// Every sequence with a loop variant, as the whole body of a loop (<c>top: INC $0; LT $0 $1;
    /// DJMPE @top</c>), with the counter and the limit in the same or different registers, from
    /// states that loop a few times, not at all, or across the wrap-around: the same state under
    /// every step budget that ends the run inside the loop, and unbounded.
    /// </summary>
    [Theory, MemberData(nameof(LoopingSequences))]
    public void LoopsWhoseWholeBodyIsOneSuperinstructionRunTheSame(string sequence)
    {
        var mnemonics = sequence.Split(' ');
        var starts = new (int Counter, int Limit)[] { (0, 5), (5, 0), (3, 3), (int.MaxValue - 2, int.MinValue + 2), (-4, -1) };
        foreach (var (counterRegister, limitRegister) in new[] { (0, 1), (1, 0), (2, 2) })
        {
            var source = $".data\n.code\ntop: {mnemonics[0]} ${counterRegister}\n{mnemonics[1]} ${counterRegister} ${limitRegister}\n{mnemonics[2]} @top\nhlt\n";
            var result = Assembler.Assembler.Assemble(source, "loop.iasm");
            Assert.True(result.Success, result.RenderErrors());
            Assert.True(ProgramImage.TryRead(result.Image!, out var layout, out _));
            Assert.InRange(InstructionDecoder.DecodeProgram(result.Image!, layout.CodeStart)[0].Op, InstructionDecoder.FirstLoopIndex, InstructionDecoder.DispatchCount - 1);
            foreach (var (counter, limit) in starts)
            {
                Action<Machine> state = machine =>
                {
                    machine.Registers[counterRegister] = counter;
                    if (limitRegister != counterRegister) machine.Registers[limitRegister] = limit;
                };
                var unboundedReference = RunOn(fast: false, result.Image!, state, maxSteps: 200);
                for (long budget = 0; budget <= 40; budget++)
                {
                    Assert.Equal(RunOn(fast: false, result.Image!, state, budget), RunOn(fast: true, result.Image!, state, budget));
                }
                if (!unboundedReference.FinalEvent.StartsWith("Crash{9}", StringComparison.Ordinal))
                {
                    Assert.Equal(unboundedReference, RunOn(fast: true, result.Image!, state, maxSteps: null));
                }
            }
        }
    }

    /// <summary>A machine with the program loaded, its header checked and pc on the first instruction (a run of zero steps).</summary>
    private static (Machine Machine, MemoryStream Output) Start(bool fast, RandomProgram program)
    {
        var output = new MemoryStream();
        var machine = new Machine(Guid.Empty) { Output = output, UseReferenceInterpreter = !fast };
        program.InitialState(machine);
        machine.LoadImage(program.Image);
        machine.Run(maxSteps: 0);
        return (machine, output);
    }

    /// <summary>An interruptible run (a token that could be cancelled) in slices of <paramref name="slice"/> steps, and the steps it executed.</summary>
    private static (MachineSnapshot Snapshot, long Steps) RunInSlices(bool fast, RandomProgram program, long budget, long slice, CancellationToken interrupt)
    {
        var output = new MemoryStream();
        var machine = new Machine(Guid.Empty) { Output = output, UseReferenceInterpreter = !fast, InterruptSlice = slice };
        program.InitialState(machine);
        machine.LoadImage(program.Image);
        var final = machine.Run(budget, interrupt);
        return (MachineSnapshot.Of(machine, final, output.ToArray()), machine.InterruptibleSteps);
    }

    private static MachineSnapshot RunOn(bool fast, byte[] image, Action<Machine> initialState, long? maxSteps)
    {
        var output = new MemoryStream();
        var machine = new Machine(Guid.Empty) { Output = output, UseReferenceInterpreter = !fast };
        initialState(machine);
        machine.LoadImage(image);
        var final = machine.Run(maxSteps);
        return MachineSnapshot.Of(machine, final, output.ToArray());
    }

    private static void AssertSame(MachineSnapshot reference, MachineSnapshot fast, RandomProgram program, string how)
    {
        if (reference != fast) Assert.Fail($"{program}, {how}:\nreference {reference}\nfast      {fast}");
    }
}
