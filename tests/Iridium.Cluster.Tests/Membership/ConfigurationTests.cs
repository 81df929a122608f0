using Iridium.Cluster.Client;
using Iridium.Cluster.Configuration;

namespace Iridium.Cluster.Tests.Membership;

public class ConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iridium-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FlagsOverrideTheConfigFile()
    {
        string path = Path.Combine(_dir, "node.json");
        File.WriteAllText(path, """
            {
              // comments allowed
              "nodeAlias": "from-file",
              "serverBindPort": 3000,
              "join": ["127.0.0.1:1", "127.0.0.1:2"],
              "heartbeatMs": 250,
            }
            """);
        var merged = NodeSettings.Load(path).With(new NodeSettings { ServerBindPort = 4000 });
        var options = merged.ToOptions(merged.NodeAlias!, [1]);
        Assert.Equal("from-file", options.Alias);
        Assert.Equal(4000, options.BindPort);
        Assert.Equal(["127.0.0.1:1", "127.0.0.1:2"], options.Seeds);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), options.FailureTimeout);
    }

    [Fact]
    public void AnUnknownOrMalformedConfigIsAClearError()
    {
        string path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, """{ "nodeAliass": "typo" }""");
        Assert.Contains("cannot read config file", Assert.Throws<InvalidOperationException>(() => NodeSettings.Load(path)).Message);
    }

    [Fact]
    public void TheAliasComesFromTheFlagThenNodeIdFileThenANewUuid()
    {
        Assert.Equal("flag", NodeAlias.Resolve(" flag ", _dir));
        string fresh = NodeAlias.Resolve(null, _dir);
        Assert.True(Guid.TryParse(fresh, out _));
        Assert.Equal(fresh, NodeAlias.Resolve(null, _dir));
        File.WriteAllText(Path.Combine(_dir, ".node_id"), "  stored\n");
        Assert.Equal("stored", NodeAlias.Resolve(null, _dir));
        Assert.True(Guid.TryParse(NodeAlias.Resolve(null, Path.Combine(_dir, "missing-dir")), out _));
    }

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
