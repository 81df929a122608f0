using System.Globalization;
using System.Text.Json;

namespace Iridium.Cluster.Client;

/// <summary>The output of `iridium members`: one text line per member, or a JSON array.</summary>
public static class MembersFormatter
{
    public static string StatusName(MemberStatus status) => status switch
    {
        MemberStatus.Self => "self",
        MemberStatus.Up => "up",
        _ => "down",
    };

    /// <summary><c>ALIAS NODE-ID HOST:PORT STATUS LAST-SEEN-MS</c>, sorted by alias.</summary>
    public static void WriteText(TextWriter output, IEnumerable<MemberInfo> members)
    {
        foreach (var m in members.OrderBy(m => m.Alias, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Alias} {m.NodeId} {HostPort.Format(m.Host, m.Port)} {StatusName(m.Status)} {m.LastSeenMs}"));
        }
    }

    /// <summary>An array of objects with keys alias, node_id, host, port, status, last_seen_ms.</summary>
    public static void WriteJson(Stream output, IEnumerable<MemberInfo> members)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var m in members.OrderBy(m => m.Alias, StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("alias", m.Alias);
            json.WriteString("node_id", m.NodeId.ToString());
            json.WriteString("host", m.Host);
            json.WriteNumber("port", m.Port);
            json.WriteString("status", StatusName(m.Status));
            json.WriteNumber("last_seen_ms", m.LastSeenMs);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        output.WriteByte((byte)'\n');
    }
}
