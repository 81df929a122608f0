using Iridium.Cluster.Client;

namespace Iridium.Cluster.Tests.Membership;

public class MembersFormatterTests
{
    private static readonly Guid Id = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");

    private static readonly MemberInfo[] Members =
    [
        new("b", Id, "127.0.0.1", 2255, MemberStatus.Up, 12),
        new("a", Id, "::1", 2254, MemberStatus.Self, 0),
        new("c", Id, "10.0.0.3", 2256, MemberStatus.Down, 4012, 1012, DownReason.ConnectionLost),
    ];

    [Fact]
    public void TheTableHasAHeaderRowAlignedColumnsAndTheDownDetails()
    {
        var text = new StringWriter();
        MembersFormatter.WriteText(text, Members);
        string[] lines = text.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Equal(["ALIAS", "NODE-ID", "HOST:PORT", "STATUS", "LAST-SEEN-MS", "DOWN-SINCE-MS", "REASON"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["a", Id.ToString(), "[::1]:2254", "self", "0", "-", "-"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["b", Id.ToString(), "127.0.0.1:2255", "up", "12", "-", "-"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["c", Id.ToString(), "10.0.0.3:2256", "down", "4012", "1012", "connection", "lost"], lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        // Aligned: every column starts at the same offset on every row.
        int statusColumn = lines[0].IndexOf("STATUS", StringComparison.Ordinal);
        Assert.All(lines[1..], line => Assert.NotEqual(' ', line[statusColumn]));
        Assert.All(lines[1..], line => Assert.Equal(' ', line[statusColumn - 1]));
    }

    [Fact]
    public void TheJsonHasDownSinceAndReasonNullWhileUp()
    {
        var json = new MemoryStream();
        MembersFormatter.WriteJson(json, Members);
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        var first = doc.RootElement[0];
        Assert.Equal("a", first.GetProperty("alias").GetString());
        Assert.Equal(Id.ToString(), first.GetProperty("node_id").GetString());
        Assert.Equal(2254, first.GetProperty("port").GetInt32());
        Assert.Equal("self", first.GetProperty("status").GetString());
        Assert.Equal(0, first.GetProperty("last_seen_ms").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("down_since_ms").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("reason").ValueKind);
        Assert.Equal("up", doc.RootElement[1].GetProperty("status").GetString());
        var down = doc.RootElement[2];
        Assert.Equal("down", down.GetProperty("status").GetString());
        Assert.Equal(1012, down.GetProperty("down_since_ms").GetInt64());
        Assert.Equal("connection lost", down.GetProperty("reason").GetString());
    }

    [Fact]
    public void ControlCharactersANodeSentAreEscapedNotPrinted()
    {
        var text = new StringWriter();
        MembersFormatter.WriteText(text, [new MemberInfo("evil\nrow\u001b[31m", Id, "h\u202eost", 1, MemberStatus.Up, 0)]);
        string output = text.ToString().ReplaceLineEndings("\n");
        Assert.Equal(2, output.TrimEnd('\n').Split('\n').Length);
        Assert.Contains("evil\\u000Arow\\u001B[31m", output);
        Assert.Contains("h\\u202Eost:1", output);
    }
}
