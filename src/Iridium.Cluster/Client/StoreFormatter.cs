using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Iridium.Cluster.Client;

/// <summary>The output of `iridium kv list` and `iridium store status`: text for people, JSON for scripts.</summary>
public static class StoreFormatter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One line per key: the key, a tab, the value; both escaped (<see cref="UntrustedText"/>), so a line is always one line.</summary>
    public static void WriteListText(TextWriter output, IReadOnlyList<KvPair> entries, bool truncated)
    {
        foreach (var entry in entries)
            output.WriteLine($"{UntrustedText.Escape(Lossy(entry.Key), int.MaxValue)}\t{UntrustedText.Escape(Lossy(entry.Value), int.MaxValue)}");
        if (truncated) output.WriteLine("... (more keys match: narrow the prefix or raise --limit)");
    }

    /// <summary>
    /// An object: "entries", an array of objects with "key", "value" (the bytes as a string when
    /// they are UTF-8; else "key_base64"/"value_base64" instead) and "revision"; and "truncated".
    /// </summary>
    public static void WriteListJson(Stream output, IReadOnlyList<KvPair> entries, bool truncated)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteStartArray("entries");
        foreach (var entry in entries)
        {
            json.WriteStartObject();
            WriteBytes(json, "key", entry.Key);
            WriteBytes(json, "value", entry.Value);
            json.WriteNumber("revision", entry.Revision);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteBoolean("truncated", truncated);
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    /// <summary>The answering voter's view: leader, term, log indexes, sizes, then a table of the voters.</summary>
    public static void WriteStatusText(TextWriter output, StoreView view)
    {
        var n = CultureInfo.InvariantCulture;
        output.WriteLine($"answered by   {view.Voter}");
        output.WriteLine($"leader        {view.Leader ?? "(none)"}");
        output.WriteLine($"term          {view.Term.ToString(n)}");
        output.WriteLine($"commit index  {view.CommitIndex.ToString(n)} (last log index {view.LastLogIndex.ToString(n)}, applied {view.AppliedIndex.ToString(n)})");
        output.WriteLine($"keys          {view.Keys.ToString(n)} ({view.DataBytes.ToString(n)} bytes of keys and values)");
        output.WriteLine($"on disk       log {view.LogBytes.ToString(n)} bytes, snapshots {view.SnapshotBytes.ToString(n)} bytes");
        var rows = new List<string[]> { new[] { "VOTER", "STATE", "LEADER" } };
        rows.AddRange(view.Voters.Select(v => new[] { v.Name, v.State, v.IsLeader ? "yes" : "-" }));
        TextTable.Write(output, rows);
    }

    /// <summary>An object with voter, leader (null when none), term, commit_index, last_log_index, applied_index, keys, data_bytes, log_bytes, snapshot_bytes and voters (name, state, leader).</summary>
    public static void WriteStatusJson(Stream output, StoreView view)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("voter", view.Voter);
        if (view.Leader is null) json.WriteNull("leader");
        else json.WriteString("leader", view.Leader);
        json.WriteNumber("term", view.Term);
        json.WriteNumber("commit_index", view.CommitIndex);
        json.WriteNumber("last_log_index", view.LastLogIndex);
        json.WriteNumber("applied_index", view.AppliedIndex);
        json.WriteNumber("keys", view.Keys);
        json.WriteNumber("data_bytes", view.DataBytes);
        json.WriteNumber("log_bytes", view.LogBytes);
        json.WriteNumber("snapshot_bytes", view.SnapshotBytes);
        json.WriteStartArray("voters");
        foreach (var v in view.Voters)
        {
            json.WriteStartObject();
            json.WriteString("name", v.Name);
            json.WriteString("state", v.State);
            json.WriteBoolean("leader", v.IsLeader);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteBytes(Utf8JsonWriter json, string name, byte[] bytes)
    {
        try
        {
            json.WriteString(name, StrictUtf8.GetString(bytes));
        }
        catch (DecoderFallbackException)
        {
            json.WriteString(name + "_base64", Convert.ToBase64String(bytes));
        }
    }

    private static string Lossy(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
