using System.Runtime.CompilerServices;
using Iridium.Vm;

namespace Iridium.Cluster.Tests.Support;

/// <summary>
/// The interpreter is one generated method of tens of thousands of lines, which the JIT compiles
/// at its first call (the shipped binary is compiled ahead of time and never pays this). On a
/// loaded 2-core machine that took 12 to over 20 seconds inside whichever test first ran a
/// program on a node, longer than the test waited for the program's answer. Both of its variants
/// (counting steps, and not) are compiled here, before any test starts a clock.
/// </summary>
internal static class InterpreterWarmUp
{
#pragma warning disable CA2255 // a module initializer is the one place that runs before any test
    [ModuleInitializer]
    internal static void CompileTheInterpreter()
    {
        var image = Iridium.Assembler.Assembler.Assemble("hlt\n", "warm-up.iasm").Image!;
        var machine = new Machine();
        machine.LoadImage(image);
        machine.Run(maxSteps: 10);
        machine.LoadImage(image);
        machine.Run();
    }
#pragma warning restore CA2255
}
