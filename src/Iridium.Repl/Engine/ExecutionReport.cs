using System.Globalization;
using Iridium.Vm;

namespace Iridium.Repl.Engine;

/// <summary>How the REPL words the end of a run or a step: <c>VM stopped: code N</c> or the fault's name.</summary>
internal static class ExecutionReport
{
    /// <param name="at">Address of the instruction that was executed (for a taken jump).</param>
    public static string Describe(Machine machine, ExecutionResult result, int at) => result.Status switch
    {
        ExecutionStatus.Stopped => Stopped(result.Code),
        ExecutionStatus.Faulted => Fault(machine, (FaultCode)result.Code, result.Pc, stepBudget: null),
        ExecutionStatus.Interrupted => Interrupted(machine, result.Pc),
        _ => $"jumped from {at} to {machine.Pc}; typed lines stop at a taken jump (use !load_file to run whole programs)",
    };

    /// <summary>The final event of a whole run (<c>!load_file</c>, <c>!spawn</c>).</summary>
    public static string Describe(Machine machine, VmEvent final, long? stepBudget) => final.Kind switch
    {
        VmEventKind.GracefulStop => Stopped(final.Code),
        VmEventKind.Interrupted => Interrupted(machine, machine.LastResult.Pc),
        _ => Fault(machine, (FaultCode)final.Code, machine.LastResult.Pc, stepBudget),
    };

    /// <summary>An interrupted run: where it stopped, naming the instruction that would have run next.</summary>
    public static string Interrupted(Machine machine, int pc)
        => $"interrupted at pc={pc.ToString(CultureInfo.InvariantCulture)} ({InstructionAt(machine, pc)})";

    public static string Stopped(int code) => code switch
    {
        0 => "VM stopped: code 0 (HLT)",
        _ => $"VM stopped: code {code.ToString(CultureInfo.InvariantCulture)} (IGL, an unknown opcode, or the end of the program)",
    };

    /// <summary>The one wording for a run that used up its step budget (a whole run's STEPS fault, or a <c>!continue</c> still running at its end).</summary>
    public static string StepBudgetSpent(long? stepBudget)
        => $"VM fault: STEPS: the run needed more than the step budget of {stepBudget?.ToString(CultureInfo.InvariantCulture) ?? "?"} instructions (--max-steps)";

    private static string Fault(Machine machine, FaultCode fault, int pc, long? stepBudget)
    {
        if (fault == FaultCode.Steps) return StepBudgetSpent(stepBudget);
        if (fault == FaultCode.Header) return "VM fault: HEADER: the program is not a valid image";
        string where = $"VM fault: {fault.DisplayName()} at pc={pc.ToString(CultureInfo.InvariantCulture)} ({InstructionAt(machine, pc)})";
        return fault == FaultCode.Heap && HeapLimit(machine.LastHeapRefusal, machine) is { } why ? $"{where}: {why}" : where;
    }

    private static string InstructionAt(Machine machine, int pc)
        => pc >= 0 && pc < machine.Program.Length ? InstructionFormatter.Format(machine.Program[pc..]) : "end of program";

    /// <summary>Why an ALOC was refused, in words, or null when no limit refused it (a negative size, an access out of range).</summary>
    public static string? HeapLimit(HeapRefusal refusal, Machine? machine = null) => FaultReport.HeapLimit(refusal, machine);
}
