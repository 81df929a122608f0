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
    [Command(CommandRouter.Run)]
    public int Run([Argument, HideDefaultValue] string? file = null, [HideDefaultValue] string? stateJson = null, [HideDefaultValue] long? maxSteps = null,
        [HideDefaultValue] int? maxHeapBytes = null)
        => CommandBody.Run(CommandRouter.Run, () =>
        {
            if (file is null) throw CommandFailure.Usage("run: missing FILE (the program to run)");
            if (maxSteps is < 0) throw CommandFailure.Usage($"--max-steps must be a whole number 0 or more, not {maxSteps}");
            Hosting.FlagRules.Range(Configuration.NodeSettingsSchema.MaxHeapBytes, maxHeapBytes);
            return Execute(file, stateJson, maxSteps, maxHeapBytes ?? Defaults.MaxHeapBytes);
        });

    private static int Execute(string path, string? statePath, long? maxSteps, int maxHeapBytes)
    {
        var input = ProgramInput.Read(path);
        byte[]? image = ProgramCompiler.ToImage(input, Console.Error);
        if (image is null) return ExitCodes.InvalidProgram;

        // Flushed below and never disposed: after a failed write, disposing would only fail again
        // with the same bytes still buffered.
        var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
        var machine = new Machine(heapCap: maxHeapBytes)
        {
            Output = stdout,
            Diagnostics = Console.Error,
        };
        machine.LoadImage(image);
        // With a state file to write, Ctrl-C (or SIGTERM) interrupts the run at an instruction
        // boundary so that the state is written and the output flushed. Only then: an
        // interruptible run is checked between slices of steps, which costs a tight loop about a
        // quarter of its speed (tools/bench/interrupt), and without a state file the signal's
        // default (the process ends, status 130) loses nothing the user asked for but buffered output.
        using var signal = statePath is null ? null : new ShutdownSignal();
        VmEvent final;
        try
        {
            final = machine.Run(maxSteps, signal?.Token ?? CancellationToken.None);
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
