using Iridium.Vm;

namespace Iridium.Assembler.Tests;

internal static class TestSupport
{
    /// <summary>Assembles and fails the test with the rendered errors when assembly does not succeed.</summary>
    public static byte[] AssembleOk(string source)
    {
        var result = Assembler.Assemble(source, "test.iasm");
        Assert.True(result.Success, result.RenderErrors());
        return result.Image!;
    }

    /// <summary>The code section of an image (everything after the header, ro length and ro bytes).</summary>
    public static byte[] CodeOf(byte[] image)
    {
        Assert.True(ProgramImage.TryRead(image, out var layout, out var error), error);
        return image[layout.CodeStart..];
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>Runs an image on a fresh machine, capturing PRTS output.</summary>
    public static (Machine Machine, VmEvent Stop, string Output) Run(byte[] image, long maxSteps = 10_000_000)
    {
        using var processes = new ProcessRuntime(new ProcessLimits { Schedulers = 1, MaxSteps = maxSteps });
        var machine = new Machine { Runtime = processes };
        var output = new MemoryStream();
        machine.Output = output;
        machine.LoadImage(image);
        var stop = machine.Run(maxSteps);
        // A program that spawned ends when its whole group has (as `iridium run` waits for it).
        if (processes.EndHosted(machine, machine.LastResult) is { } group) Assert.True(group.WaitForEnd(TimeSpan.FromMinutes(2)), "the group did not end");
        return (machine, stop, System.Text.Encoding.UTF8.GetString(output.ToArray()));
    }

    /// <summary>The single error of a source that must fail with exactly one error.</summary>
    public static AssemblyError SingleError(string source)
    {
        var result = Assembler.Assemble(source, "test.iasm");
        Assert.False(result.Success);
        Assert.Null(result.Image);
        return Assert.Single(result.Errors);
    }
}
