using System.Text.Json;

namespace Iridium.Vm;

/// <summary>
/// Writes the final machine state as the JSON document `iridium run --state-json` promises
/// (a contract other tools parse; keep the keys and shapes exact):
/// <c>{"event":{"kind","code"},"pc","registers":[32],"float_registers":[32],"equal_flag",
/// "remainder","loop_counter","heap_length","stack_depth"}</c>. Non-finite floats are the
/// strings "nan", "inf", "-inf", since JSON has no literal for them.
/// </summary>
public static class StateJsonWriter
{
    public static void Write(Stream stream, Machine machine, VmEvent finalEvent)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartObject();

        json.WriteStartObject("event");
        json.WriteString("kind", finalEvent.Kind.ToString());
        json.WriteNumber("code", finalEvent.Code);
        json.WriteEndObject();

        json.WriteNumber("pc", machine.Pc);

        json.WriteStartArray("registers");
        foreach (int value in machine.Registers) json.WriteNumberValue(value);
        json.WriteEndArray();

        json.WriteStartArray("float_registers");
        foreach (double value in machine.FloatRegisters)
        {
            if (double.IsNaN(value)) json.WriteStringValue("nan");
            else if (double.IsPositiveInfinity(value)) json.WriteStringValue("inf");
            else if (double.IsNegativeInfinity(value)) json.WriteStringValue("-inf");
            else json.WriteNumberValue(value);
        }
        json.WriteEndArray();

        json.WriteBoolean("equal_flag", machine.EqualFlag);
        json.WriteNumber("remainder", machine.Remainder);
        json.WriteNumber("loop_counter", machine.LoopCounter);
        json.WriteNumber("heap_length", machine.HeapLength);
        json.WriteNumber("stack_depth", machine.StackDepth);
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }
}
