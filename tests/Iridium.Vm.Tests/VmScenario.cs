using System.Globalization;
using System.Text;

namespace Iridium.Vm.Tests;

/// <summary>
/// A tiny notation for opcode conformance rows, so each row reads like the spec:
/// code as hex words ("01 00 01 02 | 05 00 00 00"), state as "R0=5 F1=1.5 EQ=1 HEAP[10]=100"
/// and the outcome as "stop 0" or "fault DIVZERO". Programs run as full images (code at 68).
/// </summary>
public static class VmScenario
{
    public const int CodeStart = 68;

    public static byte[] Hex(string hex)
        => Convert.FromHexString(new string(hex.Where(Uri.IsHexDigit).ToArray()));

    public static byte[] Image(string code, string ro = "") => ProgramImage.Write(Hex(ro), Hex(code));

    public static byte[] ImageWithText(string code, string roText) => ProgramImage.Write(Encoding.UTF8.GetBytes(roText), Hex(code));

    /// <summary>Runs an image with the given initial state; returns the machine and its final event.</summary>
    public static (Machine Machine, VmEvent Final, string Output) Run(byte[] image, string setup = "", long? maxSteps = 100_000)
    {
        var output = new MemoryStream();
        var machine = new Machine { Output = output };
        Apply(machine, setup);
        machine.LoadImage(image);
        var final = machine.Run(maxSteps);
        return (machine, final, Encoding.UTF8.GetString(output.ToArray()));
    }

    public static void Apply(Machine machine, string setup)
    {
        foreach (var (key, value) in Pairs(setup))
        {
            if (key.StartsWith("HEAP[", StringComparison.Ordinal))
            {
                // Heap setup writes through SETM's rules: a word, little-endian.
                int offset = int.Parse(key[5..^1], CultureInfo.InvariantCulture);
                Assert.True(machine.TryWriteHeapWord(offset, int.Parse(value, CultureInfo.InvariantCulture)));
            }
            else if (key[0] == 'R') machine.Registers[int.Parse(key[1..], CultureInfo.InvariantCulture)] = int.Parse(value, CultureInfo.InvariantCulture);
            else if (key[0] == 'F') machine.FloatRegisters[int.Parse(key[1..], CultureInfo.InvariantCulture)] = ParseDouble(value);
            else if (key == "EQ") machine.EqualFlag = value == "1";
            else throw new ArgumentException($"unknown setup key {key}");
        }
    }

    /// <summary>Asserts every "KEY=value" of <paramref name="expect"/> against the machine.</summary>
    public static void AssertState(Machine machine, string expect)
    {
        foreach (var (key, value) in Pairs(expect))
        {
            switch (key)
            {
                case "EQ": Assert.Equal(value == "1", machine.EqualFlag); break;
                case "REM": Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), machine.Remainder); break;
                case "PC": Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), machine.Pc); break;
                case "HEAPLEN": Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), machine.HeapLength); break;
                case "LC": Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), machine.LoopCounter); break;
                case "SP": Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), machine.StackDepth); break;
                case "BP": Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), machine.BasePointer); break;
                default:
                    if (key.StartsWith("HEAP[", StringComparison.Ordinal))
                    {
                        int offset = int.Parse(key[5..^1], CultureInfo.InvariantCulture);
                        Assert.True(machine.TryReadHeapWord(offset, out int word));
                        Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), word);
                    }
                    else if (key[0] == 'R') Assert.Equal(int.Parse(value, CultureInfo.InvariantCulture), machine.Registers[int.Parse(key[1..], CultureInfo.InvariantCulture)]);
                    else if (key[0] == 'F')
                    {
                        double actual = machine.FloatRegisters[int.Parse(key[1..], CultureInfo.InvariantCulture)];
                        Assert.Equal(ParseDouble(value), actual);
                    }
                    else throw new ArgumentException($"unknown expectation key {key}");
                    break;
            }
        }
    }

    /// <summary>Asserts "stop N" (GracefulStop) or "fault NAME" (Crash with that fault code).</summary>
    public static void AssertOutcome(VmEvent final, string outcome)
    {
        var parts = outcome.Split(' ');
        if (parts[0] == "stop")
        {
            Assert.Equal(VmEventKind.GracefulStop, final.Kind);
            Assert.Equal(int.Parse(parts[1], CultureInfo.InvariantCulture), final.Code);
        }
        else
        {
            Assert.Equal("fault", parts[0]);
            Assert.Equal(VmEventKind.Crash, final.Kind);
            Assert.Equal(parts[1], ((FaultCode)final.Code).DisplayName());
        }
    }

    private static double ParseDouble(string value) => value switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(value, CultureInfo.InvariantCulture),
    };

    private static IEnumerable<(string Key, string Value)> Pairs(string text)
    {
        foreach (var pair in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            yield return (pair[..eq], pair[(eq + 1)..]);
        }
    }
}
