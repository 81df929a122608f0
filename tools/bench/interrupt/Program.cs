// The cost of an interruptible run (Machine.Run with a cancellable token), which executes in
// slices of InterruptSlice steps through the bounded dispatch loop, against a plain unbounded run
// of the same program. Meant for instruction counts, which do not care what else the machine is
// doing:  tools/bench/interrupt/run.sh  (callgrind; prints Ir per mode and the ratios).
//   Iridium.Bench.Interrupt FILE.iasm none|plain|budget|sliced|scheduled [SLICE]
// "none" assembles and loads only (the fixed cost to subtract), "budget" is a plain run with a
// step budget (the bounded loop without slices), "sliced" an interruptible run, "scheduled" a
// scheduler's loop of Machine.RunSlice calls.
using System.Diagnostics;
using Iridium.Vm;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Iridium.Bench.Interrupt FILE.iasm none|plain|budget|sliced|scheduled [SLICE]");
    return 2;
}
var assembled = Iridium.Assembler.Assembler.Assemble(File.ReadAllText(args[0]), args[0]);
if (!assembled.Success)
{
    Console.Error.Write(assembled.RenderErrors());
    return 65;
}
long slice = args.Length > 2 ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : Machine.DefaultInterruptSlice;
var machine = new Machine { InterruptSlice = slice };
machine.LoadImage(assembled.Image!);
using var neverCancelled = new CancellationTokenSource();
var clock = Stopwatch.StartNew();
VmEvent? final = args[1] switch
{
    "none" => null,
    "plain" => machine.Run(),
    "budget" => machine.Run(long.MaxValue / 2),
    "sliced" => machine.Run(interrupt: neverCancelled.Token),
    "scheduled" => Scheduled(machine, slice),
    _ => throw new ArgumentException($"unknown mode {args[1]}"),
};
Console.WriteLine($"{args[1]} slice={slice}: {final?.Kind} R0={machine.Registers[0]} in {clock.Elapsed.TotalMilliseconds:F1} ms");
return 0;

// What a scheduler does: start the program, run it slice after slice until it ends, finish it.
static VmEvent Scheduled(Machine machine, long slice)
{
    if (machine.Start() is { } headerFault) return headerFault;
    ExecutionResult result;
    do
    {
        result = machine.RunSlice(slice, out _);
    }
    while (result.Status == ExecutionStatus.Running);
    return machine.Finish(result);
}
