using System.Text;
using Iridium.Cli.Programs;
using Iridium.Cluster.Client;

namespace Iridium.Cli.Tests;

/// <summary>`exec --on all`: lines of different nodes are written whole, each prefixed by its node, however the chunks are cut.</summary>
public class ExecOutputWriterTests
{
    [Fact]
    public void LinesFromSeveralNodesNeverInterleaveMidLine()
    {
        using var stdout = new MemoryStream();
        var writer = new ExecOutputWriter(stdout, prefixed: true, targets: 2);
        writer.Write(0, "a", "one fr"u8);
        writer.Write(1, "b", "B1\nB2 par"u8);
        writer.Write(0, "a", "om a\ntwo"u8);
        writer.Write(1, "b", "t\n"u8);
        writer.Finish([Result("a"), Result("b")]);

        Assert.Equal("[b] B1\n[a] one from a\n[b] B2 part\n[a] two\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    [Fact]
    public void FromOneNodeTheBytesPassThroughUntouched()
    {
        using var stdout = new MemoryStream();
        var writer = new ExecOutputWriter(stdout, prefixed: false, targets: 1);
        writer.Write(0, "a", "no newline"u8);
        writer.Write(0, "a", ", then one\n"u8);
        writer.Finish([Result("a")]);
        Assert.Equal("no newline, then one\n", Encoding.UTF8.GetString(stdout.ToArray()));
    }

    private static ExecResult Result(string alias) => new(alias, alias, alias + ".1", ExecEnd.Stopped, 0, null, null, 0);
}
