using System.Net;
using System.Net.Sockets;
using Iridium.Cluster.Connections;
using Iridium.Cluster.Protocol;
using Iridium.Cluster.Tests.Support;
using Iridium.Cluster.Transport;
using Iridium.Net;

namespace Iridium.Cluster.Tests.Security;

/// <summary>Aliases and every other string a peer sends: checked where they enter, escaped where they are printed.</summary>
public class UntrustedInputTests
{
    public static TheoryData<string> ValidAliases => new() { "a", "node-1", "n_2.x", "ABC.def-9_", new string('x', 64), "0c6f1f5e-3c6b-4f0e-9a57-bd1d9c4e3f11" };

    public static TheoryData<string, string> InvalidAliases => new()
    {
        { "", "empty" },
        { new string('x', 65), "65 characters long; the limit is 64" },
        { "a b", "U+0020" },
        { "evil\nalias", "U+000A" },
        { "nul\0", "U+0000" },
        { "esc\u001b[31m", "U+001B" },
        { "bidi\u202egnp", "U+202E" },
        { "zero\u200bwidth", "U+200B" },
        { "nœud", "U+0153" },
        { "a/b", "'/'" },
        { "a:b", "':'" },
    };

    [Theory, MemberData(nameof(ValidAliases))]
    public void ValidAliasesPass(string alias)
    {
        Assert.Null(AliasRules.Problem(alias));
        TestCluster.Options(alias).Validate();
    }

    [Theory, MemberData(nameof(InvalidAliases))]
    public void InvalidAliasesAreRefusedWithAClearMessage(string alias, string named)
    {
        Assert.Contains(named, AliasRules.Problem(alias));
        var e = Assert.Throws<ArgumentException>(() => TestCluster.Options(alias).Validate());
        Assert.StartsWith("node alias '", e.Message);
        Assert.DoesNotContain(e.Message, c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
    }

    [Theory]
    [InlineData("evil\nalias")]
    [InlineData("bidi\u202e")]
    [InlineData("esc\u001b]0;owned\u0007")]
    public async Task AnIntroductionWithABadAliasIsRefusedAndNothingOfItReachesTheLogRaw(string alias)
    {
        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("target"));
        var (connection, outcome) = await RawPeer.ConnectAsync(node, alias);
        Assert.False(outcome.Success);
        Assert.Equal(RefuseCode.Protocol, outcome.Refusal);
        Assert.Contains("node alias", outcome.Message);
        connection.Close(CloseReason.Done, "done");
        Assert.Single(node.Members);
        await Eventually.True(() => cluster.Log.Contains("refused connection from 127.0.0.1: invalid introduction: node alias"), TimeSpan.FromSeconds(10), "the refusal is logged");
        AssertClean(cluster.Log);
    }

    [Fact]
    public async Task ARefusalReasonFromAHostileNodeIsEscapedInTheJoinResultAndTheLog()
    {
        using var hostile = new TcpListener(IPAddress.Loopback, 0);
        hostile.Start();
        int port = ((IPEndPoint)hostile.LocalEndpoint).Port;
        var answering = Task.Run(async () =>
        {
            using var socket = await hostile.AcceptSocketAsync();
            var connection = new ClusterConnection(new SocketTransport(socket), false, 1 << 20);
            await connection.ReadAsync(CancellationToken.None); // its Hello
            await connection.WriteAsync(new Refuse { Code = RefuseCode.AliasTaken, Reason = "no\n2026-05-21T00:00:00Z info: node up: forged\u001b[2J\u202e" }, CancellationToken.None);
            await Task.Delay(200);
        });

        await using var cluster = new TestCluster();
        var node = await cluster.StartAsync(TestCluster.Options("victim"));
        var result = await node.JoinAsync("127.0.0.1", port);
        await answering;
        Assert.False(result.Success);
        Assert.Contains(@"no\u000A2026-05-21T00:00:00Z info: node up: forged\u001B[2J\u202E", result.Message);
        Assert.DoesNotContain(result.Message, char.IsControl);
        Assert.Contains(cluster.Log.Lines, l => l.Contains("refused us: refused: no\\u000A", StringComparison.Ordinal));
        AssertClean(cluster.Log);
    }

    [Fact]
    public void EscapingKeepsPrintableTextAndBoundsTheLength()
    {
        Assert.Equal("shutdown ✓", UntrustedText.Escape("shutdown ✓"));
        Assert.Equal(@"a\u000Ab\u0000c\u202E", UntrustedText.Escape("a\nb\0c\u202e"));
        Assert.Equal(new string('x', 200) + "...", UntrustedText.Escape(new string('x', 5000)));
        Assert.Equal("", UntrustedText.Escape(null));
    }

    private static void AssertClean(TestLog log)
    {
        foreach (string line in log.Lines)
        {
            Assert.DoesNotContain(line, c => char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format);
        }
    }
}
