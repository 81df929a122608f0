using ConsoleAppFramework;
using Iridium.Cli.CommandLine;
using Iridium.Cli.Hosting;
using Iridium.Cli.Programs;
using Iridium.Vm;
using S = Iridium.Cli.Configuration.NodeSettingsSchema;

namespace Iridium.Cli.Commands;

/// <summary>`iridium run FILE`, also reached as `iridium FILE`: assemble if needed, run, report.</summary>
internal sealed class RunCommand
{
    /// <summary>Run a program; its exit status says how it stopped (0 HLT, 1 IGL, 10+code fault; see 'iridium --help'). A program that SPAWNs runs as a group: the run ends when every process of it has ended, with the status of the program itself.</summary>
    /// <param name="file">FILE: an image (name ending in .ir, or starting with EPIE) or assembly source; '-' reads standard input.</param>
    /// <param name="stateJson">Write the final machine state as JSON to this file (also after a fault, and after Ctrl-C: exit 130); '-' is standard output.</param>
    /// <param name="maxSteps">End the run with Crash{9} (STEPS) after this many instructions; each spawned process has its own such budget. Default: unlimited.</param>
    /// <param name="maxHeapBytes">Heap cap in bytes, at least 16777216; an ALOC past it faults HEAP (default 64 MiB).</param>
    /// <param name="slice">Run in slices of this many steps, as a scheduler runs a process (the run and its output are the same; for benchmarks). Default: 65536.</param>
    /// <param name="schedulers">Threads that run spawned processes (default: one per core).</param>
    /// <param name="maxProcesses">Living processes at most; a SPAWN past it answers eq = false (default 262144).</param>
    /// <param name="mailboxMessages">Messages one mailbox holds at most; a SEND to a full one answers eq = false (default 4096).</param>
    /// <param name="mailboxBytes">Payload bytes one mailbox holds at most (default 4194304).</param>
    /// <param name="maxMessageBytes">Largest message a SEND may carry; a larger one faults VALUE (default 65536).</param>
    [Command(CommandRouter.Run)]
    public int Run([Argument, HideDefaultValue] string? file = null, [HideDefaultValue] string? stateJson = null, [HideDefaultValue] long? maxSteps = null,
        [HideDefaultValue] int? maxHeapBytes = null, [HideDefaultValue] long? slice = null, [HideDefaultValue] int? schedulers = null,
        [HideDefaultValue] int? maxProcesses = null, [HideDefaultValue] int? mailboxMessages = null, [HideDefaultValue] int? mailboxBytes = null,
        [HideDefaultValue] int? maxMessageBytes = null)
        => CommandBody.Run(CommandRouter.Run, () =>
        {
            if (file is null) throw CommandFailure.Usage("run: missing FILE (the program to run)");
            if (maxSteps is < 0) throw CommandFailure.Usage($"--max-steps must be a whole number 0 or more, not {maxSteps}");
            if (slice is < 1) throw CommandFailure.Usage($"--slice must be a whole number 1 or more, not {slice}");
            // The process limits are the node's settings of the same names: one definition, one range each.
            var settings = Configuration.NodeSettings.Empty;
            foreach (var (setting, value) in new (Configuration.WholeSetting<int>, int?)[]
            {
                (S.MaxHeapBytes, maxHeapBytes), (S.Schedulers, schedulers), (S.MaxProcesses, maxProcesses),
                (S.MailboxMessages, mailboxMessages), (S.MailboxBytes, mailboxBytes), (S.MaxMessageBytes, maxMessageBytes),
            })
            {
                Hosting.FlagRules.Range(setting, value);
                settings = settings.Set(setting, value);
            }
            return Execute(file, stateJson, maxSteps, maxHeapBytes ?? Defaults.MaxHeapBytes, slice ?? Machine.DefaultInterruptSlice, settings.ProcessLimits(maxSteps));
        });

    private static int Execute(string path, string? statePath, long? maxSteps, int maxHeapBytes, long slice, ProcessLimits limits)
    {
        var input = ProgramInput.Read(path);
        byte[]? image = ProgramCompiler.ToImage(input, Console.Error);
        if (image is null) return ExitCodes.InvalidProgram;

        // Flushed below and never disposed: after a failed write, disposing would only fail again
        // with the same bytes still buffered.
        var stdout = RunOutput.ForStandardOutput();
        // Creating the runtime starts no thread: a program that never SPAWNs runs as before, on
        // this thread alone. One that does becomes the root of a group whose other members run
        // on the runtime's scheduler threads and write to the same output, a line at a time.
        using var processes = new ProcessRuntime(limits);
        var machine = new Machine(heapCap: maxHeapBytes)
        {
            Output = stdout,
            Diagnostics = Console.Error,
            InterruptSlice = slice,
            Runtime = processes,
        };
        // Ctrl-C or SIGTERM interrupts the run at an instruction boundary: what the program
        // printed is flushed, the state written, and the exit status is 130. The run goes in
        // slices anyway (that is how the token is looked at, and how the output is flushed while
        // the program computes), at the cost of counting steps: a few percent (tools/bench).
        // The same signal stops every other member of the program's group. The handlers are
        // armed once the program goes on: after a whole slice, when it has processes (its RECV
        // may wait, its group outlive it), or before its output first goes out (to someone who
        // may answer it with Ctrl-C). A program that ends within its first slice, silent until
        // its end, never starts the signal-handling thread, the largest part of a short run's
        // start-up after the runtime's own (tools/bench/startup.sh); until armed, as while the
        // process starts, the signals end it at once.
        using var signal = new ShutdownSignal(armed: false);
        stdout.BeforeWrite = signal.Arm;
        // Between slices (and before a RECV waits) the buffered output goes out once it has
        // waited long enough; once there is a group, under its output lock, since its other
        // members write there too.
        machine.BetweenSlices = () =>
        {
            if (machine.Process is not null || machine.InterruptibleSteps >= slice) signal.Arm();
            if (machine.Process?.Group is { } group) group.Synchronized(stdout.FlushIfDue);
            else stdout.FlushIfDue();
        };
        machine.LoadImage(image);
        VmEvent final;
        try
        {
            final = machine.Run(maxSteps, signal.Token);
            if (processes.EndHosted(machine, machine.LastResult) is { } group)
            {
                signal.Arm();
                if (!group.WaitForEnd(signal.Token))
                {
                    processes.KillGroup(group);
                    group.WaitForEnd();
                }
            }
            // The run is over: its last output needs no handler.
            stdout.BeforeWrite = null;
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
