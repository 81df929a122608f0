namespace Iridium.Vm.Tests.Differential;

/// <summary>
/// Everything a run leaves behind that a program, the CLI or the REPL can observe, as one
/// comparable value: registers (floats by bit pattern, so NaN payloads and -0 count), flags,
/// counters, pc, heap and stack contents, the last result, the final event, the printed bytes,
/// and the exact --state-json document.
/// </summary>
internal sealed record MachineSnapshot(
    string Registers,
    string FloatRegisterBits,
    bool EqualFlag,
    int Remainder,
    int LoopCounter,
    int Pc,
    int BasePointer,
    string Stack,
    string Heap,
    ExecutionResult LastResult,
    string FinalEvent,
    string Output,
    string StateJson)
{
    public static MachineSnapshot Of(Machine machine, VmEvent? final, byte[] output)
    {
        string stateJson = "";
        if (final is not null)
        {
            var json = new MemoryStream();
            StateJsonWriter.Write(json, machine, final);
            stateJson = System.Text.Encoding.UTF8.GetString(json.ToArray());
        }
        return new MachineSnapshot(
            string.Join(",", machine.Registers.ToArray()),
            string.Join(",", machine.FloatRegisters.ToArray().Select(f => BitConverter.DoubleToInt64Bits(f).ToString("X16"))),
            machine.EqualFlag,
            machine.Remainder,
            machine.LoopCounter,
            machine.Pc,
            machine.BasePointer,
            string.Join(",", machine.Stack.ToArray()),
            Convert.ToHexString(machine.Heap),
            machine.LastResult,
            final is null ? "" : $"{final.Kind}{{{final.Code}}}",
            Convert.ToHexString(output),
            stateJson);
    }
}
