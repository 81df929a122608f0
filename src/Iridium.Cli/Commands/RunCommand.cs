using System.CommandLine;
using Iridium.Vm;

namespace Iridium.Cli.Commands;

/// <summary>`iridium run FILE [--state-json PATH] [--max-steps N]`: assemble if needed, run, report.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "The program: an image (name ending in .ir, or starting with the EPIE magic) or assembly source. '-' reads standard input.",
        };
        var stateJson = new Option<string?>("--state-json")
        {
            Description = "Write the final machine state as JSON to PATH (also after a fault).",
            HelpName = "PATH",
        };
        var maxSteps = new Option<long?>("--max-steps")
        {
            Description = "End the run with Crash{9} (STEPS) when it needs more than N instructions. Default: unlimited.",
            HelpName = "N",
            CustomParser = OptionParsers.NonNegativeLong,
        };

        var command = new Command("run", "Run a program and exit with its status: 0 after HLT, 1 after IGL or running off the end, 10+code after a fault, 65 for an invalid program, 66 when FILE cannot be read.")
        {
            file, stateJson, maxSteps,
        };
        command.SetAction(parse => Execute(parse.GetValue(file)!, parse.GetValue(stateJson), parse.GetValue(maxSteps)));
        return command;
    }

    internal static int Execute(string path, string? statePath, long? maxSteps)
    {
        var input = ProgramInput.TryRead(path, Console.Error);
        if (input is null) return ExitCodes.NoInput;
        byte[]? image = ProgramCompiler.ToImage(input, Console.Error);
        if (image is null) return ExitCodes.InvalidProgram;

        using var stdout = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
        var machine = new Machine
        {
            Output = stdout,
            Diagnostics = Console.Error,
        };
        machine.LoadImage(image);
        VmEvent final = machine.Run(maxSteps);

        int status = Report(machine, final, image);
        if (statePath is not null && !TryWriteState(statePath, machine, final)) return ExitCodes.CannotCreate;
        return status;
    }

    private static int Report(Machine machine, VmEvent final, byte[] image)
    {
        if (final.Kind == VmEventKind.GracefulStop)
        {
            return final.Code == 0 ? ExitCodes.Ok : ExitCodes.IllegalStop;
        }
        if (final.Code == (int)FaultCode.Header)
        {
            ProgramImage.TryRead(image, out _, out string? why);
            Console.Error.WriteLine($"iridium: invalid program image: {why} (Crash{{1}})");
            return ExitCodes.InvalidProgram;
        }
        var result = machine.LastResult;
        string instruction = result.Pc < machine.Program.Length
            ? InstructionFormatter.Format(machine.Program[result.Pc..])
            : "end of program";
        Console.Error.WriteLine($"iridium: fault {((FaultCode)final.Code).DisplayName()} at pc={result.Pc} ({instruction})");
        return ExitCodes.CrashBase + final.Code;
    }

    private static bool TryWriteState(string path, Machine machine, VmEvent final)
    {
        try
        {
            using var file = path == "-" ? Console.OpenStandardOutput() : File.Create(path);
            StateJsonWriter.Write(file, machine, final);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            Console.Error.WriteLine($"iridium: cannot write {path}: {e.Message}");
            return false;
        }
    }
}
