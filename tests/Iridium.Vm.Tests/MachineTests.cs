using System.Text;

namespace Iridium.Vm.Tests;

/// <summary>Image validation, PRTS, events, step budgets and headerless single-stepping.</summary>
public class MachineTests
{
    public static TheoryData<string, byte[]> BadImages => new()
    {
        { "empty", [] },
        { "shorter than the magic", [0x45, 0x50] },
        { "magic only", [0x45, 0x50, 0x49, 0x45] },
        { "67 bytes", ProgramImage.Write([], [])[..67] },
        { "bad magic", Corrupt(ProgramImage.Write([], VmScenario.Hex("05000000")), 3, 0x46) },
        { "ro length past the end", Corrupt(ProgramImage.Write([], VmScenario.Hex("05000000")), 64, 5) },
        { "ro length 0xFFFFFFFF", SetRoLength(ProgramImage.Write([], VmScenario.Hex("05000000")), uint.MaxValue) },
    };

    [Theory, MemberData(nameof(BadImages))]
    public void BadImagesCrashWithHeaderAndRunNothing(string name, byte[] image)
    {
        _ = name;
        var (machine, final, output) = VmScenario.Run(image);
        Assert.Equal(VmEventKind.Crash, final.Kind);
        Assert.Equal((int)FaultCode.Header, final.Code);
        Assert.Equal([VmEventKind.Start, VmEventKind.Crash], machine.Events.Select(e => e.Kind));
        Assert.Equal("", output);
        Assert.All(machine.Registers.ToArray(), r => Assert.Equal(0, r));
    }

    [Fact]
    public void MachinesWithoutAnIdGetDistinctOnesWithoutRandomness()
    {
        // Not random (a scratch root has no /dev): version 8, this process's pid in bits 48..79.
        var ids = Enumerable.Range(0, 1000).Select(_ => new Machine().Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(8, id.Version));
        var bytes = ids[0].ToByteArray(bigEndian: true);
        uint pid = (uint)(bytes[6] & 0x0F) << 28 | (uint)bytes[7] << 20 | (uint)(bytes[8] & 0x3F) << 14 | (uint)bytes[9] << 6 | (uint)bytes[10] >> 2;
        Assert.Equal((uint)Environment.ProcessId, pid);
        var given = Guid.Parse("6f1e3c8a-1b2d-4e5f-8a9b-0c1d2e3f4a5b");
        Assert.Equal(given, new Machine(given).Id);
    }

    [Fact]
    public void ReservedHeaderBytesAreNotChecked()
    {
        var image = ProgramImage.Write([], VmScenario.Hex("00 00 00 07 | 05 00 00 00"));
        image[10] = 0xAB;
        var (machine, final, _) = VmScenario.Run(image);
        Assert.Equal(VmEventKind.GracefulStop, final.Kind);
        Assert.Equal(7, machine.Registers[0]);
    }

    [Fact]
    public void HeaderOnlyImageRunsOffTheEnd()
    {
        var (machine, final, _) = VmScenario.Run(ProgramImage.Write([], []));
        Assert.Equal((VmEventKind.GracefulStop, 1), (final.Kind, final.Code));
        Assert.Equal(68, machine.Pc);
    }

    [Fact]
    public void AssemblyManualExampleImageRuns()
    {
        // docs/reference/image-format.md, "Example": "Hi" in ro, PRTS @greeting, HLT; 79 bytes.
        var image = VmScenario.Hex("45504945" + new string('0', 120) + "03000000 486900 15000000 05000000");
        Assert.Equal(79, image.Length);
        var (_, final, output) = VmScenario.Run(image);
        Assert.Equal("Hi", output);
        Assert.Equal((VmEventKind.GracefulStop, 0), (final.Kind, final.Code));
    }

    public static TheoryData<string, string, string, string> PrtsCases => new()
    {
        { "prints a string", "48 69 00", "15 00 00 00|05 00 00 00", "Hi|stop 0" },
        { "second string", "48 69 00 79 6F 00", "15 00 03 00|05 00 00 00", "yo|stop 0" },
        { "empty string", "00", "15 00 00 00|05 00 00 00", "|stop 0" },
        { "UTF-8 text", "C3 BC 00", "15 00 00 00|05 00 00 00", "\u00fc|stop 0" },
        { "offset at ro length", "48 69 00", "15 00 03 00|05 00 00 00", "|fault RODATA" },
        { "no NUL", "48 69", "15 00 00 00|05 00 00 00", "|fault RODATA" },
        { "no ro data at all", "", "15 00 00 00|05 00 00 00", "|fault RODATA" },
        { "invalid UTF-8 prints nothing and goes on", "FF FE 00", "15 00 00 00|05 00 00 00", "|stop 0" },
        { "output before a fault stays", "48 69 00", "15 00 00 00|04 00 01 02", "Hi|fault DIVZERO" },
    };

    [Theory, MemberData(nameof(PrtsCases))]
    public void Prts(string name, string ro, string code, string expected)
    {
        _ = name;
        var parts = expected.Split('|');
        var (_, final, output) = VmScenario.Run(ProgramImage.Write(VmScenario.Hex(ro), VmScenario.Hex(code)));
        Assert.Equal(parts[0], output);
        VmScenario.AssertOutcome(final, parts[1]);
    }

    [Fact]
    public void InvalidUtf8IsReportedOnDiagnostics()
    {
        var diagnostics = new StringWriter();
        var machine = new Machine { Diagnostics = diagnostics };
        machine.LoadImage(ProgramImage.Write(VmScenario.Hex("FF 00"), VmScenario.Hex("15 00 00 00|05 00 00 00")));
        machine.Run();
        Assert.Contains("not valid UTF-8", diagnostics.ToString());
        Assert.Contains("pc=70", diagnostics.ToString());
    }

    [Fact]
    public void IllegalOpcodeIsReportedWithItsAddress()
    {
        var diagnostics = new StringWriter();
        var machine = new Machine { Diagnostics = diagnostics };
        machine.LoadImage(VmScenario.Image("10 00 00 00|45 00 00 00"));
        machine.Run();
        Assert.Contains("illegal opcode 69 (0x45) at pc=72", diagnostics.ToString());
    }

    [Fact]
    public void EventsCarryTheVmIdAndUtcTimeAndAccumulate()
    {
        var id = Guid.NewGuid();
        var machine = new Machine(id);
        var before = DateTime.UtcNow;
        machine.LoadImage(VmScenario.Image("05 00 00 00"));
        machine.Run();
        machine.LoadImage(VmScenario.Image("64 00 00 00"));
        machine.Run();
        Assert.Equal(
            [(VmEventKind.Start, 0), (VmEventKind.GracefulStop, 0), (VmEventKind.Start, 0), (VmEventKind.GracefulStop, 1)],
            machine.Events.Select(e => (e.Kind, e.Code)));
        Assert.All(machine.Events, e =>
        {
            Assert.Equal(id, e.VmId);
            Assert.Equal(DateTimeKind.Utc, e.AtUtc.Kind);
            Assert.InRange(e.AtUtc, before, DateTime.UtcNow);
        });
    }

    [Fact]
    public void AliasEmptyMeansNone()
    {
        Assert.Null(new Machine(alias: "").Alias);
        Assert.Equal("node1", new Machine(alias: "node1").Alias);
    }

    [Theory]
    [InlineData(3, "fault STEPS", 80)]
    [InlineData(4, "stop 0", 84)]
    [InlineData(0, "fault STEPS", 68)]
    public void StepBudget(long budget, string outcome, int pc)
    {
        // Four instructions: three LOADs and HLT.
        var (machine, final, _) = VmScenario.Run(VmScenario.Image("00 00 00 01|00 01 00 02|00 02 00 03|05 00 00 00"), maxSteps: budget);
        VmScenario.AssertOutcome(final, outcome);
        Assert.Equal(pc, machine.Pc);
    }

    [Theory]
    // The jump is the last step the budget allows; an illegal target it takes still faults JUMP at
    // the jump (the decoder points such targets at a fault slot, which is not a step).
    [InlineData("14 00 02 00|05 00 00 00", "EQ=1", 1, "fault JUMP", "PC=68 EQ=1")]            // DJMPE taken
    [InlineData("28 00 01 00|29 00 02 00|05 00 00 00", "", 2, "fault JUMP", "PC=72 LC=1")]    // LOOP taken: counter kept
    [InlineData("2E 00 02 00|05 00 00 00", "", 1, "fault JUMP", "PC=68 SP=0 BP=0")]           // CALL: nothing pushed
    [InlineData("29 00 02 00|05 00 00 00", "", 1, "fault STEPS", "PC=72 LC=0")]               // LOOP not taken: no check
    public void AnIllegalTargetFaultsEvenOnTheLastStep(string code, string setup, long budget, string outcome, string expect)
    {
        var (machine, final, _) = VmScenario.Run(VmScenario.Image(code), setup, maxSteps: budget);
        VmScenario.AssertOutcome(final, outcome);
        VmScenario.AssertState(machine, expect);
    }

    [Fact]
    public void StepBudgetEndsAnInfiniteLoop()
    {
        var (machine, final, _) = VmScenario.Run(VmScenario.Image("06 00 00 00"), "R0=68", maxSteps: 1_000_000);
        VmScenario.AssertOutcome(final, "fault STEPS");
        Assert.Equal(68, machine.Pc);
    }

    [Fact]
    public void RunningOffTheEndOnTheLastStepIsNotAStepFault()
    {
        var (_, final, _) = VmScenario.Run(VmScenario.Image("00 00 00 01"), maxSteps: 1);
        VmScenario.AssertOutcome(final, "stop 1");
    }

    [Fact]
    public void HeaderlessCallFixture()
    {
        // Headerless CALL 8, HLT, LOAD $0 #500, RET — three single steps leave R0 = 500 and pc = 4.
        var machine = new Machine();
        machine.LoadHeaderless(VmScenario.Hex("2E 00 08 00 | 05 00 00 00 | 00 00 01 F4 | 2F 00 00 00"));
        for (int i = 0; i < 3; i++) Assert.Equal(ExecutionStatus.Running, machine.RunOnce().Status);
        Assert.Equal(500, machine.Registers[0]);
        Assert.Equal(4, machine.Pc);
        Assert.Empty(machine.Events);
    }

    [Fact]
    public void HeaderlessJumpFixtures()
    {
        var jmpf = new Machine();
        jmpf.LoadHeaderless(VmScenario.Hex("07 00 00 00 | 10 00 00 00"));
        jmpf.Registers[0] = 2;
        jmpf.RunOnce();
        Assert.Equal(4, jmpf.Pc);

        var jmpb = new Machine();
        jmpb.LoadHeaderless(VmScenario.Hex("10 00 00 00 | 08 01 00 00"));
        jmpb.Registers[1] = 6;
        jmpb.RunOnce();
        jmpb.RunOnce();
        Assert.Equal(0, jmpb.Pc);
    }

    [Fact]
    public void SingleStepReportsStopsAndFaults()
    {
        var machine = new Machine();
        machine.LoadHeaderless(VmScenario.Hex("05 00 00 00"));
        Assert.Equal(new ExecutionResult(ExecutionStatus.Stopped, 0, 0), machine.RunOnce());

        // The REPL appends each typed line and runs it from its own first byte.
        machine.AppendCode(VmScenario.Hex("04 00 01 02"));
        machine.Pc = 4;
        var fault = machine.RunOnce();
        Assert.Equal((ExecutionStatus.Faulted, FaultCode.DivZero, 4), (fault.Status, fault.Fault, fault.Pc));
        Assert.Equal(4, machine.Pc);

        machine.AppendCode(VmScenario.Hex("00 00 00 2A"));
        machine.Pc = 8;
        Assert.Equal(ExecutionStatus.Running, machine.RunOnce().Status);
        Assert.Equal(42, machine.Registers[0]);
        Assert.Equal(12, machine.Pc);
    }

    [Theory]
    // The frame left by A (CALL 76 at 68, HLT in the callee) returns to 72 in whatever program comes next.
    [InlineData("", "2F 00 00 00", "stop 1", 72)]                       // 72 is the end of B: a legal target
    [InlineData("AA BB CC DD", "2F 00 00 00", "fault STACK", 72)]       // 72 is B's RET again, now without a frame
    [InlineData("", "2F 00 00 00|05 00 00 00", "stop 0", 76)]           // 72 is B's HLT
    [InlineData("AA BB", "10 00 00 00|2F 00 00 00", "fault JUMP", 74)]  // 72 is inside an instruction of B
    public void FramesLeftByAReplacedProgramAreCheckedInFull(string roB, string codeB, string outcome, int pc)
    {
        var machine = new Machine { Output = new MemoryStream() };
        machine.LoadImage(VmScenario.Image("2E 00 4C 00|05 00 00 00|05 00 00 00"));
        VmScenario.AssertOutcome(machine.Run(), "stop 0");
        Assert.Equal((2, 2), (machine.StackDepth, machine.BasePointer));

        machine.LoadImage(VmScenario.Image(codeB, roB));
        VmScenario.AssertOutcome(machine.Run(), outcome);
        Assert.Equal(pc, machine.Pc);
    }

    [Fact]
    public void StackShowsReturnAddressesAsByteAddressesBeforeAndAfterTheProgramIsCleared()
    {
        // CALL 76 at 68 (ro data makes the code start 72: CALL at 72 returns to 76), the callee halts.
        var machine = new Machine();
        machine.LoadImage(VmScenario.Image("2E 00 50 00|05 00 00 00|05 00 00 00", ro: "AA BB CC DD"));
        VmScenario.AssertOutcome(machine.Run(), "stop 0");
        Assert.Equal([76, 0], machine.Stack.ToArray());

        // The REPL clears the program and types a RET: the frame returns to byte 76, which is not
        // in the 8-byte headerless program any more.
        machine.ClearProgram();
        machine.AppendCode(VmScenario.Hex("2F 00 00 00|05 00 00 00"));
        Assert.Equal([76, 0], machine.Stack.ToArray());
        var result = machine.RunOnce();
        Assert.Equal((ExecutionStatus.Faulted, FaultCode.Jump, 0), (result.Status, result.Fault, result.Pc));
    }

    [Fact]
    public void ClearProgramResetsPcAndRoData()
    {
        var machine = new Machine();
        machine.LoadImage(ProgramImage.Write(Encoding.UTF8.GetBytes("x\0"), VmScenario.Hex("05 00 00 00")));
        machine.Run();
        machine.ClearProgram();
        Assert.Equal(0, machine.Pc);
        Assert.Equal(0, machine.Program.Length);
        Assert.Equal(0, machine.RoData.Length);
    }

    private static byte[] Corrupt(byte[] image, int offset, byte value)
    {
        image[offset] = value;
        return image;
    }

    private static byte[] SetRoLength(byte[] image, uint length)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(64), length);
        return image;
    }
}
