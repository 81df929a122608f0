using System.Globalization;
using System.Text.Json;

namespace Iridium.Cluster.Client;

/// <summary>The output of `iridium members`: a table with a header row, or a JSON array.</summary>
public static class MembersFormatter
{
    private static readonly string[] Header = ["ALIAS", "NODE-ID", "HOST:PORT", "STATUS", "LAST-SEEN-MS", "DOWN-SINCE-MS", "REASON"];

    /// <summary>
    /// One row per member, sorted by alias, in aligned columns under a header row:
    /// <c>ALIAS NODE-ID HOST:PORT STATUS LAST-SEEN-MS DOWN-SINCE-MS REASON</c>. DOWN-SINCE-MS and
    /// REASON are <c>-</c> for members that are up; REASON is last because it may hold a space.
    /// Text a node sent is escaped (<see cref="UntrustedText"/>), so a row is always one line.
    /// </summary>
    public static void WriteText(TextWriter output, IEnumerable<MemberInfo> members)
    {
        var rows = new List<string[]> { Header };
        foreach (var m in Sorted(members))
        {
            rows.Add(
            [
                UntrustedText.Escape(m.Alias),
                m.NodeId.ToString(),
                UntrustedText.Escape(HostPort.Format(m.Host, m.Port)),
                MemberWords.Status(m.Status),
                m.LastSeenMs.ToString(CultureInfo.InvariantCulture),
                m.DownSinceMs?.ToString(CultureInfo.InvariantCulture) ?? "-",
                m.Reason is { } reason ? MemberWords.Reason(reason) : "-",
            ]);
        }
        TextTable.Write(output, rows);
    }

    /// <summary>
    /// An array of objects with keys alias, node_id, host, port, status, last_seen_ms,
    /// down_since_ms (how long ago it went down; null while up) and reason (null while up).
    /// </summary>
    public static void WriteJson(Stream output, IEnumerable<MemberInfo> members)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (var m in Sorted(members))
        {
            json.WriteStartObject();
            json.WriteString("alias", m.Alias);
            json.WriteString("node_id", m.NodeId.ToString());
            json.WriteString("host", m.Host);
            json.WriteNumber("port", m.Port);
            json.WriteString("status", MemberWords.Status(m.Status));
            json.WriteNumber("last_seen_ms", m.LastSeenMs);
            if (m.DownSinceMs is { } since) json.WriteNumber("down_since_ms", since);
            else json.WriteNull("down_since_ms");
            if (m.Reason is { } reason) json.WriteString("reason", MemberWords.Reason(reason));
            else json.WriteNull("reason");
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static IEnumerable<MemberInfo> Sorted(IEnumerable<MemberInfo> members)
        => members.OrderBy(m => m.Alias, StringComparer.Ordinal).ThenBy(m => m.Status);
}
