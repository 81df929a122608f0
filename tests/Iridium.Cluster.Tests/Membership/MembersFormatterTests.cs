using Iridium.Cluster.Client;

namespace Iridium.Cluster.Tests.Membership;

public class MembersFormatterTests
{
    [Fact]
    public void MembersPrintAsTextLinesAndJson()
    {
        var id = Guid.Parse("01234567-89ab-cdef-0123-456789abcdef");
        var members = new[] { new MemberInfo("b", id, "127.0.0.1", 2255, MemberStatus.Up, 12), new MemberInfo("a", id, "::1", 2254, MemberStatus.Self, 0) };
        var text = new StringWriter();
        MembersFormatter.WriteText(text, members);
        Assert.Equal($"a {id} [::1]:2254 self 0\nb {id} 127.0.0.1:2255 up 12\n", text.ToString().ReplaceLineEndings("\n"));

        var json = new MemoryStream();
        MembersFormatter.WriteJson(json, members);
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        var first = doc.RootElement[0];
        Assert.Equal("a", first.GetProperty("alias").GetString());
        Assert.Equal(id.ToString(), first.GetProperty("node_id").GetString());
        Assert.Equal(2254, first.GetProperty("port").GetInt32());
        Assert.Equal("self", first.GetProperty("status").GetString());
        Assert.Equal(0, first.GetProperty("last_seen_ms").GetInt64());
        Assert.Equal("up", doc.RootElement[1].GetProperty("status").GetString());
    }
}
