using System.Globalization;

namespace Iridium.Vm.Tests;

/// <summary>
/// PRTI, PRTF and PRTC (docs/reference/isa.md, "Printing"): what they print, the VALUE fault, and that all print
/// instructions share one stream in program order. Rows: name, initial state, code, expected
/// output, outcome.
/// </summary>
public class PrintConformanceTests
{
    private const string Hlt = "05 00 00 00";

    public static TheoryData<string, string, string, string, string> Integers => new()
    {
        { "zero", "R0=0", "30 00 00 00|" + Hlt, "0", "stop 0" },
        { "negative", "R0=-5", "30 00 00 00|" + Hlt, "-5", "stop 0" },
        { "int.MaxValue", "R0=2147483647", "30 00 00 00|" + Hlt, "2147483647", "stop 0" },
        { "int.MinValue", "R0=-2147483648", "30 00 00 00|" + Hlt, "-2147483648", "stop 0" },
        { "after INC wraps", "R7=2147483647", "12 07 00 00|30 07 00 00|" + Hlt, "-2147483648", "stop 0" },
        { "no newline of its own", "R0=1 R1=2", "30 00 00 00|30 01 00 00|" + Hlt, "12", "stop 0" },
        { "bad register is REGISTER", "", "30 20 00 00|" + Hlt, "", "fault REGISTER" },
        { "padding ignored", "R0=3", "30 00 FF FF|" + Hlt, "3", "stop 0" },
    };

    public static TheoryData<string, string, string, string, string> Floats => new()
    {
        { "zero", "", "31 00 00 00|" + Hlt, "0", "stop 0" },
        { "negative zero keeps its sign", "F0=-0.0", "31 00 00 00|" + Hlt, "-0", "stop 0" },
        { "0.1 is shortest", "F0=0.1", "31 00 00 00|" + Hlt, "0.1", "stop 0" },
        { "0.1 + 0.2", "F0=0.30000000000000004", "31 00 00 00|" + Hlt, "0.30000000000000004", "stop 0" },
        { "integral", "F0=6765", "31 00 00 00|" + Hlt, "6765", "stop 0" },
        { "negative", "F0=-1.25", "31 00 00 00|" + Hlt, "-1.25", "stop 0" },
        { "third", "F0=0.3333333333333333", "31 00 00 00|" + Hlt, "0.3333333333333333", "stop 0" },
        { "2^53", "F0=9007199254740992", "31 00 00 00|" + Hlt, "9007199254740992", "stop 0" },
        { "1e20 is still plain", "F0=1e20", "31 00 00 00|" + Hlt, "100000000000000000000", "stop 0" },
        { "1e21 switches to an exponent", "F0=1e21", "31 00 00 00|" + Hlt, "1e+21", "stop 0" },
        { "1.5e300", "F0=1.5e300", "31 00 00 00|" + Hlt, "1.5e+300", "stop 0" },
        { "0.000001 is still plain", "F0=0.000001", "31 00 00 00|" + Hlt, "0.000001", "stop 0" },
        { "1e-7 switches to an exponent", "F0=1e-7", "31 00 00 00|" + Hlt, "1e-7", "stop 0" },
        { "-1.5e-7", "F0=-1.5e-7", "31 00 00 00|" + Hlt, "-1.5e-7", "stop 0" },
        { "largest double", "F0=1.7976931348623157e308", "31 00 00 00|" + Hlt, "1.7976931348623157e+308", "stop 0" },
        { "smallest subnormal", "F0=5e-324", "31 00 00 00|" + Hlt, "5e-324", "stop 0" },
        { "nan", "F0=nan", "31 00 00 00|" + Hlt, "nan", "stop 0" },
        { "inf", "F0=inf", "31 00 00 00|" + Hlt, "inf", "stop 0" },
        { "-inf", "F0=-inf", "31 00 00 00|" + Hlt, "-inf", "stop 0" },
        { "computed 1/0", "F1=1", "1A 01 00 02|31 02 00 00|" + Hlt, "inf", "stop 0" },
        { "computed 0/0", "", "1A 00 00 02|31 02 00 00|" + Hlt, "nan", "stop 0" },
        { "reads the float file, not R", "R3=7 F3=2.5", "31 03 00 00|" + Hlt, "2.5", "stop 0" },
        { "bad register is REGISTER", "", "31 20 00 00|" + Hlt, "", "fault REGISTER" },
    };

    public static TheoryData<string, string, string, string, string> Scalars => new()
    {
        { "line feed", "R0=10", "32 00 00 00|" + Hlt, "\n", "stop 0" },
        { "NUL is a scalar value", "R0=0", "32 00 00 00|" + Hlt, "\0", "stop 0" },
        { "ASCII", "R0=65", "32 00 00 00|" + Hlt, "A", "stop 0" },
        { "two bytes", "R0=252", "32 00 00 00|" + Hlt, "\u00fc", "stop 0" },
        { "three bytes", "R0=8364", "32 00 00 00|" + Hlt, "\u20ac", "stop 0" },
        { "last before the surrogates", "R0=55295", "32 00 00 00|" + Hlt, "\ud7ff", "stop 0" },
        { "first after the surrogates", "R0=57344", "32 00 00 00|" + Hlt, "\ue000", "stop 0" },
        { "four bytes", "R0=128512", "32 00 00 00|" + Hlt, "\U0001F600", "stop 0" },
        { "largest scalar value", "R0=1114111", "32 00 00 00|" + Hlt, "\U0010FFFF", "stop 0" },
        { "negative faults", "R0=-1", "32 00 00 00|" + Hlt, "", "fault VALUE" },
        { "int.MinValue faults", "R0=-2147483648", "32 00 00 00|" + Hlt, "", "fault VALUE" },
        { "first surrogate faults", "R0=55296", "32 00 00 00|" + Hlt, "", "fault VALUE" },
        { "last surrogate faults", "R0=57343", "32 00 00 00|" + Hlt, "", "fault VALUE" },
        { "above U+10FFFF faults", "R0=1114112", "32 00 00 00|" + Hlt, "", "fault VALUE" },
        { "int.MaxValue faults", "R0=2147483647", "32 00 00 00|" + Hlt, "", "fault VALUE" },
        { "output before the fault stays", "R0=72 R1=-1", "32 00 00 00|32 01 00 00|" + Hlt, "H", "fault VALUE" },
        { "bad register is REGISTER", "", "32 20 00 00|" + Hlt, "", "fault REGISTER" },
    };

    [Theory, MemberData(nameof(Integers))]
    public void Prti(string name, string setup, string code, string output, string outcome) => Check(name, setup, code, output, outcome);

    [Theory, MemberData(nameof(Floats))]
    public void Prtf(string name, string setup, string code, string output, string outcome) => Check(name, setup, code, output, outcome);

    [Theory, MemberData(nameof(Scalars))]
    public void Prtc(string name, string setup, string code, string output, string outcome) => Check(name, setup, code, output, outcome);

    [Fact]
    public void PrtcFaultHasNoEffect()
    {
        var (machine, final, output) = VmScenario.Run(VmScenario.Image("32 05 00 00|" + Hlt), "R5=55296 EQ=1 R6=9");
        VmScenario.AssertOutcome(final, "fault VALUE");
        Assert.Equal("", output);
        VmScenario.AssertState(machine, "PC=68 R5=55296 R6=9 EQ=1 SP=0");
        Assert.Equal(10, final.Code); // VALUE is crash code 10: exit status 20 by the 10 + code rule
    }

    [Fact]
    public void AllPrintInstructionsShareOneStreamInProgramOrder()
    {
        // PRTS "n=", PRTI R0, PRTC ',', PRTF F0, PRTS "!", PRTC '\n'
        var image = VmScenario.ImageWithText(
            "15 00 00 00|30 00 00 00|32 01 00 00|31 00 00 00|15 00 03 00|32 02 00 00|" + Hlt, "n=\0!\0");
        var (_, final, output) = VmScenario.Run(image, "R0=-42 R1=44 R2=10 F0=0.5");
        VmScenario.AssertOutcome(final, "stop 0");
        Assert.Equal("n=-42,0.5!\n", output);
    }

    public static TheoryData<byte> UnassignedBytes()
    {
        var data = new TheoryData<byte>();
        for (int b = 0; b < 256; b++)
        {
            if (OpcodeTable.Find((byte)b) is null) data.Add((byte)b);
        }
        return data;
    }

    [Fact]
    public void AssignedBytesAre0To64And100()
    {
        var assigned = Enumerable.Range(0, 256).Where(b => OpcodeTable.Find((byte)b) is not null);
        Assert.Equal(Enumerable.Range(0, 65).Append(100), assigned);
        Assert.Equal(("PRTI", "PRTF", "PRTC"), (OpcodeTable.Find(48)!.Mnemonic, OpcodeTable.Find(49)!.Mnemonic, OpcodeTable.Find(50)!.Mnemonic));
    }

    [Theory, MemberData(nameof(UnassignedBytes))]
    public void EveryUnassignedByteRunsAsIgl(byte opcode)
    {
        var code = $"00 00 00 07|{opcode:X2} 01 02 03|00 00 00 09";
        var (machine, final, output) = VmScenario.Run(VmScenario.Image(code));
        VmScenario.AssertOutcome(final, "stop 1");
        VmScenario.AssertState(machine, "R0=7 PC=76");
        Assert.Equal("", output);
        Assert.Equal("IGL", InstructionFormatter.Format([opcode, 1, 2, 3]));
    }

    private static void Check(string name, string setup, string code, string expectedOutput, string outcome)
    {
        _ = name;
        var (machine, final, output) = VmScenario.Run(VmScenario.Image(code), setup);
        VmScenario.AssertOutcome(final, outcome);
        Assert.Equal(expectedOutput, output);
        // Every row's faulting instruction is the one before the final HLT; pc stays on it.
        if (outcome.StartsWith("fault", StringComparison.Ordinal)) Assert.Equal(VmScenario.CodeStart + code.Split('|').Length * 4 - 8, machine.Pc);
    }
}
