using System.Globalization;
using System.Text.Json;

namespace Iridium.Cluster.Client;

/// <summary>The output of `iridium ps`: a table with a header row, or a JSON array. Texts were escaped when they arrived.</summary>
public static class ProcessesFormatter
{
    private static readonly string[] Header = ["ID", "NODE", "PROGRAM", "STATE", "MAILBOX", "DROPPED", "PARENT", "GROUP", "STEPS", "HEAP", "AGE-MS", "ORIGIN"];

    public static void WriteText(TextWriter output, IEnumerable<ProcessInfo> processes)
    {
        var rows = new List<string[]> { Header };
        foreach (var p in processes)
        {
            rows.Add([p.Id, p.Alias, p.Program, p.State, Number(p.Mailbox), Number(p.Dropped), p.Parent.Length > 0 ? p.Parent : "-", p.Group, Number(p.Steps), Number(p.HeapBytes), Number(p.AgeMs), p.Origin]);
        }
        TextTable.Write(output, rows);
    }

    /// <summary>An array of objects with keys id, node_id, node, program, state, mailbox, dropped, parent (null for a root), group, steps, heap_bytes, age_ms, origin.</summary>
    public static void WriteJson(Stream output, IEnumerable<ProcessInfo> processes)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var p in processes)
        {
            json.WriteStartObject();
            json.WriteString("id", p.Id);
            json.WriteString("node_id", p.NodeId.ToString());
            json.WriteString("node", p.Alias);
            json.WriteString("program", p.Program);
            json.WriteString("state", p.State);
            json.WriteNumber("mailbox", p.Mailbox);
            json.WriteNumber("dropped", p.Dropped);
            if (p.Parent.Length > 0) json.WriteString("parent", p.Parent);
            else json.WriteNull("parent");
            json.WriteString("group", p.Group);
            json.WriteNumber("steps", p.Steps);
            json.WriteNumber("heap_bytes", p.HeapBytes);
            json.WriteNumber("age_ms", p.AgeMs);
            json.WriteString("origin", p.Origin);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
