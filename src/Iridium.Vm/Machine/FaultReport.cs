using System.Globalization;

namespace Iridium.Vm;

/// <summary>The one line that says where and why a run faulted or was interrupted, as `iridium run` and `iridium exec` print it.</summary>
public static class FaultReport
{
    /// <summary>"fault NAME at pc=N (INSTRUCTION)", with the heap cap when a refused ALOC passed it; for a HEADER fault, why the image is invalid.</summary>
    public static string Describe(Machine machine, VmEvent final, ReadOnlySpan<byte> image)
    {
        if (final.Code == (int)FaultCode.Header)
        {
            ProgramImage.TryRead(image, out _, out string? why);
            return $"invalid program image: {why} (Crash{{1}})";
        }
        return Describe(machine, machine.LastResult);
    }

    /// <summary>"fault NAME at pc=N (INSTRUCTION)" for a fault of a run that started (not HEADER): <paramref name="result"/> is how it ended.</summary>
    public static string Describe(Machine machine, ExecutionResult result)
    {
        string instruction = InstructionAt(machine, result.Pc);
        string limit = result.Code == (int)FaultCode.Heap && HeapLimit(machine.LastHeapRefusal, machine) is { } limitHit ? ": " + limitHit : "";
        return $"fault {((FaultCode)result.Code).DisplayName()} at pc={result.Pc} ({instruction}){limit}";
    }

    /// <summary>Which limit refused an ALOC, in words, or null when none did (a negative size, an access out of range).</summary>
    public static string? HeapLimit(HeapRefusal refusal, Machine? machine = null) => refusal switch
    {
        HeapRefusal.VmCap => machine is null
            ? "the ALOC would pass this VM's heap cap (--max-heap-bytes)"
            : $"the ALOC would pass this VM's heap cap of {machine.HeapCap.ToString(CultureInfo.InvariantCulture)} bytes (--max-heap-bytes)",
        HeapRefusal.Budget => machine?.HeapBudget is { } budget
            ? $"the VMs of this node hold {(budget.Used + budget.Garbage).ToString(CultureInfo.InvariantCulture)} of the {budget.Limit.ToString(CultureInfo.InvariantCulture)} bytes all VM heaps may use together (--max-total-heap-bytes)"
            : "all VM heaps of this node together would pass their budget (--max-total-heap-bytes)",
        _ => null,
    };

    /// <summary>"interrupted at pc=N (INSTRUCTION)": where an interrupted run stopped, naming the instruction that would have run next.</summary>
    public static string Interrupted(Machine machine) => $"interrupted at pc={machine.LastResult.Pc} ({InstructionAt(machine, machine.LastResult.Pc)})";

    private static string InstructionAt(Machine machine, int pc)
        => pc >= 0 && pc < machine.Program.Length ? InstructionFormatter.Format(machine.Program[pc..]) : "end of program";
}
