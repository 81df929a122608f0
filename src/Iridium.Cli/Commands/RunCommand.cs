using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cli.Programs;
using Iridium.Vm;

namespace Iridium.Cli.Commands;

/// <summary>`iridium run FILE`, also reached as `iridium FILE`: assemble if needed, run, report.</summary>
internal sealed class RunCommand
{
    /// <summary>Run a program; its exit status says how it stopped (0 HLT, 1 IGL, 10+code fault; see 'iridium --help').</summary>
    /// <param name="file">FILE: an image (name ending in .ir, or starting with EPIE) or assembly source; '-' reads standard input.</param>
    /// <param name="stateJson">Write the final machine state as JSON to this file (also after a fault, and after Ctrl-C: exit 130); '-' is standard output.</param>
    /// <param name="maxSteps">End the run with Crash{9} (STEPS) after this many instructions. Default: unlimited.</param>
    /// <param name="maxHeapBytes">Heap cap in bytes, at least 16777216; an ALOC past it faults HEAP (default 64 MiB).</param>
    /// <param name="slice">Run in slices of this many steps, as a scheduler runs a process (the run and its output are the same; for benchmarks). Default: 65536.</param>
    [Command(CommandRouter.Run)]
    public int Run([Argument, HideDefaultValue] string? file = null, [HideDefaultValue] string? stateJson = null, [HideDefaultValue] long? maxSteps = null,
        [HideDefaultValue] int? maxHeapBytes = null, [HideDefaultValue] long? slice = null)
        => CommandBody.Run(CommandRouter.Run, () =>
        {
            if (file is null) throw CommandFailure.Usage("run: missing FILE (the program to run)");
            if (maxSteps is < 0) throw CommandFailure.Usage($"--max-steps must be a whole number 0 or more, not {maxSteps}");
            if (slice is < 1) throw CommandFailure.Usage($"--slice must be a whole number 1 or more, not {slice}");
            Hosting.FlagRules.Range(Configuration.NodeSettingsSchema.MaxHeapBytes, maxHeapBytes);
            return Execute(file, stateJson, maxSteps, maxHeapBytes ?? Defaults.MaxHeapBytes, slice ?? Machine.DefaultInterruptSlice);
        });

    private static int Execute(string path, string? statePath, long? maxSteps, int maxHeapBytes, long slice)
    {
        var input = ProgramInput.Read(path);
        byte[]? image = ProgramCompiler.ToImage(input, Console.Error);
        if (image is null) return ExitCodes.InvalidProgram;

        // Flushed below and never disposed: after a failed write, disposing would only fail again
        // with the same bytes still buffered.
        var stdout = RunOutput.ForStandardOutput();
        var machine = new Machine(heapCap: maxHeapBytes)
        {
            Output = stdout,
            Diagnostics = Console.Error,
            InterruptSlice = slice,
            BetweenSlices = stdout.FlushIfDue,
        };
        machine.LoadImage(image);
        // Ctrl-C or SIGTERM interrupts the run at an instruction boundary: what the program
        // printed is flushed, the state written, and the exit status is 130. The run goes in
        // slices anyway (that is how the token is looked at, and how the output is flushed while
        // the program computes), at the cost of counting steps: a few percent (tools/bench).
        using var signal = new ShutdownSignal();
        VmEvent final;
        try
        {
            final = machine.Run(maxSteps, signal.Token);
            stdout.Flush();
        }
        catch (IOException e)
        {
            // The program's output cannot be written (a full disk, > /dev/full): an output failure.
            throw new CommandFailure(ExitCodes.CannotCreate, $"cannot write the program's output: {e.Message}");
        }

        int status = Report(machine, final, image);
        if (statePath is not null) OutputFile.Write(statePath, state => StateJsonWriter.Write(state, machine, final));
        return status;
    }

    private static int Report(Machine machine, VmEvent final, byte[] image)
    {
        if (final.Kind == VmEventKind.Crash) Console.Error.WriteLine("iridium: " + FaultReport.Describe(machine, final, image));
        if (final.Kind == VmEventKind.Interrupted) Console.Error.WriteLine("iridium: " + FaultReport.Interrupted(machine));
        // IGL stops on purpose; running past the last instruction is almost always a forgotten HLT.
        if (final.Kind == VmEventKind.GracefulStop && final.Code != 0 && machine.LastResult.Pc >= machine.Program.Length)
            Console.Error.WriteLine($"iridium: program ran off its end at pc={machine.LastResult.Pc} (no HLT)");
        return ProgramStatus.Of(final.Kind, final.Code);
    }
}
